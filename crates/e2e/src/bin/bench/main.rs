//! `cargo xtask bench`: every figure of the performance table in one run, printed next to its
//! target and written to target/bench/report.json (flat keys, numbers only).
//!
//! The xtask builds the widget and the server, measures the bundle (it owns the list of files
//! `widget.js` loads) and passes the sizes in `BENCH_BUNDLE_GZIP_BYTES` /
//! `BENCH_BUNDLE_BROTLI_BYTES` with their budgets in `BENCH_BUNDLE_GZIP_BUDGET` /
//! `BENCH_BUNDLE_BROTLI_BUDGET` (defined in xtask/src/build.rs), and the wasm's bytes by crate in `BENCH_WASM_BYTES` (report keys
//! and values, see xtask/src/crate_sizes.rs), a PostgreSQL server's URL in `BENCH_POSTGRES_URL` (for
//! [`postgres`]), with the `E2E_*` paths the journeys use. Exits non-zero when either
//! size budget is exceeded or a figure could not be measured.

mod floor;
mod load;
mod pages;
mod postgres;
mod server;
mod timeline;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use e2e::{free_port, Browser, Env, HostSite, Merchant};
use serde_json::json;

use floor::FloorSite;
use server::{BenchServer, Launch, Relay};

const SERVER_STARTS: usize = 5;
const INTERACTIVE_LOADS: usize = 15;
/// The widget's time to interactive may be at most this many times the floor's.
const INTERACTIVE_RATIO_TARGET: f64 = 1.5;
const PUSH_SAMPLES: usize = 50;
const POLL_SAMPLES: usize = 20;
const LOAD_ROUNDS: usize = 3;
const STREAMS: usize = 10_000;
const STREAM_CHECKOUTS: usize = 100;

/// Wall-clock milliseconds since the epoch: the clock the host page's `Date.now()` reads too.
pub fn now_ms() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs_f64()
        * 1000.0
}

/// The figures in the order of the table, each with its target.
#[derive(Default)]
struct Report {
    rows: Vec<(&'static str, f64, Target)>,
    /// Written to report.json but not printed as rows (the size breakdown: xtask prints it).
    details: Vec<(String, u64)>,
    failures: Vec<String>,
}

#[derive(Clone, Copy)]
enum Target {
    None,
    AtMost(f64),
    AtLeast(f64),
}

impl Report {
    fn add(&mut self, key: &'static str, value: f64, target: Target) {
        self.rows.push((key, value, target));
    }

    fn fail(&mut self, what: &str, error: String) {
        eprintln!("bench: {what} failed: {error}");
        self.failures.push(format!("{what}: {error}"));
    }

    fn print(&self) {
        println!();
        println!("{:<34} {:>14}  {:<14} verdict", "figure", "value", "target");
        for (key, value, target) in &self.rows {
            let (target_text, verdict) = match *target {
                Target::None => ("—".to_owned(), String::new()),
                Target::AtMost(t) => (
                    format!("≤ {}", show(t)),
                    if *value <= t {
                        "met".to_owned()
                    } else {
                        format!(
                            "MISSED by {} ({:.0} %)",
                            show(value - t),
                            (value / t - 1.0) * 100.0
                        )
                    },
                ),
                Target::AtLeast(t) => (
                    format!("≥ {}", show(t)),
                    if *value >= t {
                        "met".to_owned()
                    } else {
                        format!(
                            "MISSED by {} ({:.0} %)",
                            show(t - value),
                            (1.0 - value / t) * 100.0
                        )
                    },
                ),
            };
            println!(
                "{key:<34} {:>14}  {target_text:<14} {verdict}",
                show(*value)
            );
        }
        for failure in &self.failures {
            println!("NOT MEASURED: {failure}");
        }
    }

    fn write(&self, path: &std::path::Path) -> Result<(), String> {
        let mut map = serde_json::Map::new();
        for (key, value, _) in &self.rows {
            let number = if value.fract() == 0.0 && value.abs() < 1e15 {
                json!(*value as i64)
            } else {
                json!((value * 100.0).round() / 100.0)
            };
            map.insert((*key).to_owned(), number);
        }
        for (key, value) in &self.details {
            map.insert(key.clone(), json!(value));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let text = serde_json::to_string_pretty(&map).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Which parts of the bench run: all of them, or those `BENCH_ONLY` names (a list separated
/// by `,` of [`PART_NAMES`]), to work on one part at a time. Start-up, idle memory and the size
/// figures are always reported.
#[derive(Debug, PartialEq)]
struct Parts {
    throughput: bool,
    streams: bool,
    interactive: bool,
    latency: bool,
    /// The throughput and push figures on PostgreSQL, one and two instances ([`postgres`]).
    postgres: bool,
}

const PART_NAMES: [&str; 5] = [
    "throughput",
    "streams",
    "interactive",
    "latency",
    "postgres",
];

impl Parts {
    fn from_env() -> Result<Parts, String> {
        Parts::parse(std::env::var("BENCH_ONLY").ok().as_deref().unwrap_or(""))
    }

    fn parse(only: &str) -> Result<Parts, String> {
        let names: Vec<&str> = only
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .collect();
        if let Some(unknown) = names.iter().find(|n| !PART_NAMES.contains(n)) {
            return Err(format!(
                "BENCH_ONLY: no part `{unknown}` ({})",
                PART_NAMES.join(", ")
            ));
        }
        let wanted = |name: &str| names.is_empty() || names.contains(&name);
        Ok(Parts {
            throughput: wanted("throughput"),
            streams: wanted("streams"),
            interactive: wanted("interactive"),
            latency: wanted("latency"),
            postgres: wanted("postgres"),
        })
    }
}

/// `BENCH_WASM_BYTES`: `key=bytes` pairs separated by `,`.
fn parse_details(text: &str) -> Result<Vec<(String, u64)>, String> {
    text.split(',')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, bytes) = pair.split_once('=').ok_or("a pair without `=`")?;
            let bytes = bytes.parse().map_err(|_| format!("{key}: not a number"))?;
            Ok((key.to_owned(), bytes))
        })
        .collect::<Result<_, String>>()
        .map_err(|e| format!("BENCH_WASM_BYTES: {e}"))
}

/// What dominates the wasm, for the note under a missed size budget: the largest crates
/// (as the xtask sends them, largest first) and the data section, with their shares.
fn dominant(details: &[(String, u64)], count: usize) -> String {
    let total: u64 = details.iter().map(|(_, b)| b).sum();
    let mut parts: Vec<&(String, u64)> = details
        .iter()
        .filter(|(k, _)| k.starts_with("wasm_bytes_crate_"))
        .take(count)
        .collect();
    parts.extend(details.iter().filter(|(k, _)| k == "wasm_bytes_data"));
    parts
        .iter()
        .map(|(key, bytes)| {
            let name = key.strip_prefix("wasm_bytes_crate_").unwrap_or("data");
            format!(
                "{name} {:.0} %",
                *bytes as f64 * 100.0 / total.max(1) as f64
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn show(value: f64) -> String {
    if value.fract() == 0.0 || value.abs() >= 100.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    }
}

/// The middle value (the mean of the two middle ones for an even count).
fn median(values: &[f64]) -> f64 {
    percentile(values, 50.0)
}

/// Linear interpolation between the closest ranks.
fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let low = rank.floor() as usize;
    let high = rank.ceil() as usize;
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

fn env_path(name: &str) -> Result<PathBuf, String> {
    std::env::var_os(name)
        .map(PathBuf::from)
        .ok_or_else(|| format!("{name} is not set; run the benchmark with `cargo xtask bench`"))
}

fn env_number(name: &str) -> Result<u64, String> {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| format!("{name} is not set; run the benchmark with `cargo xtask bench`"))
}

/// The soft limit on open files, from /proc/self/limits.
fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.split_whitespace().nth(3)?.parse().ok()
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(code) => code,
        Err(e) => {
            eprintln!("bench: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The bundle's sizes and budgets, as the xtask measured them.
struct Bundle {
    gzip: u64,
    brotli: u64,
    gzip_budget: u64,
    brotli_budget: u64,
}

impl Bundle {
    fn from_env() -> Result<Bundle, String> {
        Ok(Bundle {
            gzip: env_number("BENCH_BUNDLE_GZIP_BYTES")?,
            brotli: env_number("BENCH_BUNDLE_BROTLI_BYTES")?,
            gzip_budget: env_number("BENCH_BUNDLE_GZIP_BUDGET")?,
            brotli_budget: env_number("BENCH_BUNDLE_BROTLI_BUDGET")?,
        })
    }

    fn add_rows(&self, report: &mut Report) {
        report.add(
            "bundle_gzip_bytes",
            self.gzip as f64,
            Target::AtMost(self.gzip_budget as f64),
        );
        report.add(
            "bundle_brotli_bytes",
            self.brotli as f64,
            Target::AtMost(self.brotli_budget as f64),
        );
    }

    /// What is over its budget, by how much; empty when both hold.
    fn over(&self) -> Vec<String> {
        [
            ("brotli", self.brotli, self.brotli_budget),
            ("gzip", self.gzip, self.gzip_budget),
        ]
        .into_iter()
        .filter(|(_, bytes, budget)| bytes > budget)
        .map(|(what, bytes, budget)| {
            format!("{what} by {} bytes (budget {budget})", bytes - budget)
        })
        .collect()
    }
}

/// The harness's paths from the `E2E_*` variables the xtask sets.
fn bench_env(root: &std::path::Path) -> Result<Env, String> {
    Ok(Env {
        dist: env_path("E2E_DIST")?,
        server_bin: env_path("E2E_SERVER_BIN")?,
        chromedriver: env_path("E2E_CHROMEDRIVER")?,
        chromium: env_path("E2E_CHROMIUM")?,
        artifacts: root.join("artifacts"),
        axe: PathBuf::new(),
        nginx: None,
    })
}

/// The streams and the server each hold one descriptor per stream (the server inherits ours).
fn check_open_files() -> Result<(), String> {
    let limit = open_files_limit().unwrap_or(0);
    if limit < STREAMS as u64 + 1_000 {
        return Err(format!(
            "{STREAMS} streams need more open files than the limit of {limit}; raise it \
             (`ulimit -n 20000`, or cargo xtask bench does it with prlimit)"
        ));
    }
    Ok(())
}

/// The server's configuration file: the sandbox's webhooks pass the timestamping relay.
fn relay_config(root: &std::path::Path, relay: &Relay) -> Result<PathBuf, String> {
    let config = root.join("checkout.toml");
    std::fs::create_dir_all(root).map_err(|e| e.to_string())?;
    std::fs::write(
        &config,
        format!(
            "# Written by the bench: the sandbox's webhooks pass a timestamping relay.\n\
             [sandbox]\nwebhook_url = \"{}\"\n",
            relay.url()
        ),
    )
    .map_err(|e| e.to_string())?;
    Ok(config)
}

async fn run() -> Result<ExitCode, String> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/bench");
    let env = bench_env(&root)?;
    let bundle = Bundle::from_env()?;
    let details = parse_details(&std::env::var("BENCH_WASM_BYTES").map_err(|_| {
        "BENCH_WASM_BYTES is not set; run the benchmark with `cargo xtask bench`".to_owned()
    })?)?;
    check_open_files()?;

    let mut report = Report {
        details,
        ..Report::default()
    };
    bundle.add_rows(&mut report);

    let site = HostSite::start().await;
    let port = free_port();
    let relay = Relay::start(port).await;
    let config = relay_config(&root, &relay)?;
    let launch = Launch {
        env: &env,
        port,
        cors_origin: site.origin(),
        config: &config,
        database_url: None,
    };

    let (server, starts, idle) = start_ups(&launch).await?;
    let merchant = Merchant::new(&server.origin());

    let parts = Parts::from_env()?;
    if parts.throughput {
        throughput_figures(&mut report, &server, &merchant).await;
    }
    if parts.streams {
        stream_figures(&mut report, &server, &merchant).await?;
    }
    let floor = FloorSite::start().await;
    let pages = pages::Pages {
        env: &env,
        site: &site,
        server_origin: server.origin(),
        merchant: &merchant,
        relay: &relay,
        floor: &floor,
    };
    if parts.interactive {
        interactive_figures(&mut report, &pages).await;
    }
    if parts.latency {
        latency_figures(&mut report, &env, &pages).await;
    }
    if parts.postgres {
        postgres_figures(&mut report, &env, &site, &floor, &root).await;
    }

    report.add("server_idle_rss_mb", median(&idle), Target::None);
    report.add("server_start_ms", median(&starts), Target::None);
    drop(server);

    report.print();
    let path = root.join("report.json");
    report.write(&path)?;
    println!("\nwritten to {}", path.display());
    let over = bundle.over();
    if !over.is_empty() {
        println!(
            "the bundle is over its budget: {}; the wasm is mostly {} (by crate below)",
            over.join(", "),
            dominant(&report.details, 5)
        );
        return Ok(ExitCode::FAILURE);
    }
    if !report.failures.is_empty() {
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// The figures on PostgreSQL, on the server at `BENCH_POSTGRES_URL`.
async fn postgres_figures(
    report: &mut Report,
    env: &Env,
    site: &HostSite,
    floor: &FloorSite,
    root: &std::path::Path,
) {
    let Ok(database_url) = std::env::var("BENCH_POSTGRES_URL") else {
        let why = "BENCH_POSTGRES_URL is not set; run the benchmark with `cargo xtask bench`";
        return report.fail("PostgreSQL", why.into());
    };
    let setting = postgres::Setting {
        env,
        site,
        floor,
        root,
        database_url: &database_url,
    };
    postgres::figures(report, &setting).await;
}

/// Start-up times and idle memory in ms and MB, [`SERVER_STARTS`] starts, each with a fresh,
/// empty data directory; the last server stays up for the other figures.
async fn start_ups(launch: &Launch<'_>) -> Result<(BenchServer, Vec<f64>, Vec<f64>), String> {
    eprintln!("bench: server start-up ×{SERVER_STARTS}");
    let mut starts = Vec::new();
    let mut idle = Vec::new();
    let mut server = None;
    for _ in 0..SERVER_STARTS {
        drop(server.take());
        let (started, took) = BenchServer::start(launch).await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        starts.push(took.as_secs_f64() * 1000.0);
        idle.push(started.rss_mb()?);
        server = Some(started);
    }
    Ok((server.expect("started at least once"), starts, idle))
}

/// The cold loads: the widget's and the floor's medians, their ratio, and the widget's parts.
async fn interactive_figures(report: &mut Report, pages: &pages::Pages<'_>) {
    eprintln!(
        "bench: interactive, {INTERACTIVE_LOADS} cold loads each of the widget and the floor"
    );
    match pages.interactive(INTERACTIVE_LOADS).await {
        Ok(loads) => {
            let widget = median(&loads.widget);
            let floor = median(&loads.floor);
            report.add("interactive_ms_median", widget, Target::None);
            report.add("floor_interactive_ms_median", floor, Target::None);
            report.add(
                "interactive_ratio",
                widget / floor,
                Target::AtMost(INTERACTIVE_RATIO_TARGET),
            );
            for (key, value) in timeline::medians(&loads.breakdowns) {
                report.add(key, value, Target::None);
            }
        }
        Err(e) => report.fail("interactive", e),
    }
}

/// How long a payment takes to reach the host page, pushed and polled.
async fn latency_figures(report: &mut Report, env: &Env, pages: &pages::Pages<'_>) {
    eprintln!("bench: push latency ×{PUSH_SAMPLES}, poll latency ×{POLL_SAMPLES}");
    let browser = Browser::start(env).await;
    match pages.status_latency(&browser, PUSH_SAMPLES, false).await {
        Ok(push) => {
            report.add(
                "push_latency_ms_p50",
                percentile(&push, 50.0),
                Target::AtMost(100.0),
            );
            report.add("push_latency_ms_p95", percentile(&push, 95.0), Target::None);
        }
        Err(e) => report.fail("push latency", e),
    }
    match pages.status_latency(&browser, POLL_SAMPLES, true).await {
        Ok(poll) => report.add("poll_latency_ms_p50", median(&poll), Target::None),
        Err(e) => report.fail("poll latency", e),
    }
    browser.close().await;
}

/// Loopback throughput of the status route against the baseline.
async fn throughput_figures(report: &mut Report, server: &BenchServer, merchant: &Merchant) {
    eprintln!("bench: wrk, {LOAD_ROUNDS} rounds of baseline and status");
    match status_load(server, merchant).await {
        Ok((status, baseline, ratio, p99)) => {
            report.add("status_rps", status, Target::None);
            report.add("baseline_rps", baseline, Target::None);
            report.add("status_rps_ratio", ratio, Target::AtLeast(0.8));
            report.add("status_p99_ms", p99, Target::AtMost(10.0));
        }
        Err(e) => report.fail("status load", e),
    }
}

/// Thousands of live streams held open, and the server's memory with them.
async fn stream_figures(
    report: &mut Report,
    server: &BenchServer,
    merchant: &Merchant,
) -> Result<(), String> {
    eprintln!("bench: {STREAMS} live streams");
    let mut ids = Vec::new();
    for n in 0..STREAM_CHECKOUTS {
        ids.push(
            merchant
                .create_fixed_checkout(&format!("Bench stream {n}"), "25.00", "USD")
                .await,
        );
    }
    let streams = load::open_streams(server.port, &ids, STREAMS).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let held = streams.len();
    let rss = server.rss_mb()?;
    drop(streams);
    report.add("sse_streams", held as f64, Target::AtLeast(STREAMS as f64));
    report.add("sse_rss_mb", rss, Target::AtMost(300.0));

    Ok(())
}

/// Median requests/s of the status route and of the baseline, the median of the per-round
/// ratios, and the median of the status route's 99th percentiles.
async fn status_load(
    server: &BenchServer,
    merchant: &Merchant,
) -> Result<(f64, f64, f64, f64), String> {
    let id = merchant
        .create_fixed_checkout("Bench status", "25.00", "USD")
        .await;
    let status_url = format!("{}/api/v1/public/checkouts/{id}/status", server.origin());
    let baseline_url = format!("{}/bench/baseline", server.origin());
    tokio::task::spawn_blocking(move || {
        // Warm both paths (connections, caches) before counting.
        load::wrk(&status_url, 1)?;
        load::wrk(&baseline_url, 1)?;
        let (mut status, mut baseline, mut ratios, mut p99) = (vec![], vec![], vec![], vec![]);
        for _ in 0..LOAD_ROUNDS {
            let b = load::wrk(&baseline_url, load::WRK_SECONDS)?;
            let s = load::wrk(&status_url, load::WRK_SECONDS)?;
            status.push(s.rps);
            baseline.push(b.rps);
            ratios.push(s.rps / b.rps);
            p99.push(s.p99_ms);
        }
        Ok((
            median(&status),
            median(&baseline),
            median(&ratios),
            median(&p99),
        ))
    })
    .await
    .map_err(|e| e.to_string())?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_between_ranks() {
        let v = [5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(median(&v), 3.0);
        assert_eq!(median(&[1.0, 2.0, 3.0, 4.0]), 2.5);
        assert_eq!(percentile(&v, 100.0), 5.0);
        assert_eq!(percentile(&v, 95.0), 4.8);
    }

    #[test]
    fn bench_only_picks_parts() {
        let all = Parts::parse("").unwrap();
        assert!(all.throughput && all.streams && all.interactive && all.latency && all.postgres);
        let some = Parts::parse("interactive, throughput").unwrap();
        assert_eq!(
            some,
            Parts {
                throughput: true,
                streams: false,
                interactive: true,
                latency: false,
                postgres: false,
            }
        );
        let postgres = Parts::parse("postgres").unwrap();
        assert!(postgres.postgres && !postgres.latency && !postgres.throughput);
        assert!(Parts::parse("interactve").is_err());
    }

    #[test]
    fn the_size_breakdown_is_read_and_summarised() {
        let details = parse_details(
            "wasm_bytes_crate_leptos=500,wasm_bytes_crate_core=300,wasm_bytes_data=150,\
             wasm_bytes_other_sections=50",
        )
        .unwrap();
        assert_eq!(details[0], ("wasm_bytes_crate_leptos".to_owned(), 500));
        assert_eq!(dominant(&details, 1), "leptos 50 %, data 15 %");
        assert!(parse_details("wasm_bytes_data=x").is_err());
        assert!(parse_details("wasm_bytes_data").is_err());
        assert_eq!(parse_details("").unwrap(), []);
    }
}
