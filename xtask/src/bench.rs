//! `cargo xtask bench`: the widget's size, its time to interactive, how fast a payment reaches
//! the host page, and the server's throughput, memory and start-up, in one run
//! (crates/e2e/src/bin/bench/). Figures go to target/bench/report.json.
//!
//! The bundle is measured here, over [`build::bundle_files`] plus the language file
//! [`build::bundle_size`] counts, so the list of what `widget.js` loads has one definition; the
//! bench binary gets the totals in `BENCH_BUNDLE_*` variables, and the wasm's bytes by crate
//! ([`crate_sizes`]) in `BENCH_WASM_BYTES` for report.json; the table of those is printed here.
//!
//! For the figures on PostgreSQL it starts a throw-away server ([`TestPostgres`], installed when
//! missing) and passes its URL in `BENCH_POSTGRES_URL`; it is stopped when the bench ends.

use std::path::PathBuf;
use std::process::Command;

use crate::postgres::TestPostgres;
use crate::process::{first_line, run as run_cmd};
use crate::{build, crate_sizes, demo, tools};

/// Open files the bench needs: 10 000 streams in the bench process and as many in the server.
const OPEN_FILES: u64 = 20_000;

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(other) = args.first() {
        return Err(format!("bench: unknown argument `{other}`"));
    }
    tools::ensure_browser()?;
    ensure_apt_tools(&[("wrk", "wrk")])?;
    let dist = build::build_widget()?;
    let by_crate = crate_sizes::measure()?;
    let server = demo::build_server("server")?;
    let bundle = build::bundle_size(&dist)?;
    let mut files = build::bundle_files(&dist)?;
    if let Some(name) = &bundle.locale {
        files.push(dist.join("locales").join(name));
    }
    println!("{:<48} {:>9} {:>9}", "file", "raw", "brotli");
    for file in &files {
        let raw = std::fs::metadata(file)
            .map_err(|e| format!("{}: {e}", file.display()))?
            .len();
        let compressed = build::brotli_size(file)?;
        let shown = file.strip_prefix(&dist).unwrap_or(file);
        println!("{:<48} {raw:>9} {compressed:>9}", shown.display());
    }
    // Started last, so a failed build leaves nothing to stop; stopped when this function ends.
    let postgres = match wants_postgres(std::env::var("BENCH_ONLY").ok().as_deref()) {
        true => Some(TestPostgres::start()?),
        false => None,
    };
    let mut cmd = with_open_files(OPEN_FILES)?;
    cmd.args([
        "run",
        "--quiet",
        // The server's profile: optimised, without the widget's size settings (fat LTO, opt-z).
        "--profile",
        "server",
        "--package",
        "e2e",
        "--bin",
        "bench",
    ])
    .env("E2E_DIST", &dist)
    .env("E2E_SERVER_BIN", server)
    .env("E2E_CHROMEDRIVER", tools::CHROMEDRIVER)
    .env("E2E_CHROMIUM", tools::CHROMIUM)
    .env("BENCH_BUNDLE_GZIP_BYTES", bundle.gzip.to_string())
    .env("BENCH_BUNDLE_BROTLI_BYTES", bundle.brotli.to_string())
    // The budgets have one definition, in build.rs; the binary reports and enforces them.
    .env("BENCH_BUNDLE_GZIP_BUDGET", build::BUDGET_GZIP.to_string())
    .env(
        "BENCH_BUNDLE_BROTLI_BUDGET",
        build::BUDGET_BROTLI.to_string(),
    )
    .env("BENCH_WASM_BYTES", by_crate.encode());
    if let Some(postgres) = &postgres {
        cmd.env("BENCH_POSTGRES_URL", postgres.url());
    }
    let result = run_cmd(&mut cmd);
    drop(postgres);
    // Under the figures, also when one missed its target (the size note refers to this).
    println!("\n{}", by_crate.table());
    result
}

/// Whether the bench's `postgres` part runs: always, unless `BENCH_ONLY` (the bench binary's
/// list of parts) leaves it out.
fn wants_postgres(only: Option<&str>) -> bool {
    let mut names = only
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .peekable();
    names.peek().is_none() || names.any(|n| n == "postgres")
}

/// `cargo`, run through `prlimit` when the soft limit on open files is below `wanted`.
fn with_open_files(wanted: u64) -> Result<Command, String> {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap_or_default();
    let (soft, hard) = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .map(|l| {
            let mut parts = l.split_whitespace().skip(3);
            let mut next = || parts.next().and_then(|v| v.parse::<u64>().ok());
            (next(), next())
        })
        .unwrap_or((None, None));
    if soft.unwrap_or(0) >= wanted {
        return Ok(Command::new("cargo"));
    }
    if first_line("prlimit", &["--version"]).is_none() {
        return Err(format!(
            "the bench holds {wanted} connections open; raise the open-files limit \
             (ulimit -n {wanted}) or install prlimit (util-linux)"
        ));
    }
    // Raising the hard limit needs root; otherwise go as high as the hard limit allows.
    let hard = hard.unwrap_or(wanted).max(wanted);
    let mut cmd = Command::new("prlimit");
    cmd.arg(format!("--nofile={wanted}:{hard}")).arg("cargo");
    Ok(cmd)
}

/// Debian packages the bench needs (`(binary, package)`), installed when missing.
fn ensure_apt_tools(tools: &[(&str, &str)]) -> Result<(), String> {
    let missing: Vec<&str> = tools
        .iter()
        .filter(|(binary, _)| which(binary).is_none())
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    crate::apt::install(&missing, &format!("the bench needs {}", missing.join(", ")))
}

fn which(binary: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|path| {
        std::env::split_paths(&path)
            .map(|dir| dir.join(binary))
            .find(|candidate| candidate.is_file())
    })
}

#[cfg(test)]
mod tests {
    use super::wants_postgres;

    #[test]
    fn postgres_starts_unless_bench_only_leaves_its_part_out() {
        assert!(wants_postgres(None));
        assert!(wants_postgres(Some("")));
        assert!(wants_postgres(Some("latency, postgres")));
        assert!(!wants_postgres(Some("latency,throughput")));
    }
}
