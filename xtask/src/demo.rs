//! `cargo xtask demo`: the widget, the server and the sandbox provider, from one command.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::health::wait_healthy;
use crate::{build, postgres_demo, process};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// What the demo's server runs on.
#[derive(Debug, PartialEq)]
enum Backend {
    /// One instance, SQLite in `target/demo-data`, the sandbox provider.
    Sqlite,
    /// `--chain`: one instance, the EVM provider on a local node.
    Chain,
    /// `--postgres`: two instances on a local PostgreSQL behind nginx ([`postgres_demo`]).
    Postgres,
}

pub fn run(args: &[String]) -> Result<(), String> {
    let (listen, backend) = demo_args(args)?;
    let dist = build::build_widget()?;
    let server = build_server("server")?;
    // The React example is the one page that needs a build; without npm the rest still runs.
    if let Err(e) = crate::examples::build() {
        eprintln!("xtask: the React example is not built ({e}); the other examples work");
    }
    if backend == Backend::Postgres {
        return run_on_postgres(&server, &dist, &listen);
    }
    let on_chain = backend == Backend::Chain;
    let root = crate::root();
    let data_dir = root
        .join("target")
        .join(if on_chain { "demo-chain" } else { "demo-data" });
    // With `--chain`: a local node, and the server configured for the EVM provider.
    let chain = match on_chain {
        true => Some(crate::chain_demo::start(&data_dir)?),
        false => None,
    };
    let mut command = Command::new(&server);
    command.args(["serve", "--demo", "--listen", &listen]);
    if let Some((_, config)) = &chain {
        command.arg("--config").arg(config);
    }
    let mut child = command
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("--dist")
        .arg(&dist)
        .arg("--examples")
        .arg(root.join("examples"))
        .current_dir(&root)
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", server.display()))?;
    if let Err(e) = wait_healthy(&listen, Duration::from_secs(30), &mut child) {
        let _ = child.kill();
        return Err(e);
    }
    println!();
    print_addresses(&listen);
    println!("  Data directory:       {}", data_dir.display());
    if let Some((chain, _)) = &chain {
        crate::chain_demo::print_how_to_pay(chain);
    }
    println!();
    println!("  Press Ctrl-C to stop.");
    let status = child.wait().map_err(|e| e.to_string())?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("the server exited: {status}"))
    }
}

/// The lines every demo prints first: where its pages, widget and API document are.
fn print_addresses(listen: &str) {
    println!("  Demo merchant pages:  http://{listen}/examples/");
    println!("  The widget:           http://{listen}/widget/widget.js");
    println!("  Server API document:  http://{listen}/api/openapi.json");
}

/// `--postgres`: PostgreSQL, the instances and nginx, until Ctrl-C or one of them fails.
fn run_on_postgres(server: &Path, dist: &Path, listen: &str) -> Result<(), String> {
    // From here on Ctrl-C stops what was started instead of ending xtask.
    let stop = postgres_demo::stop_on_signals()?;
    let root = crate::root();
    let dir = postgres_demo::dir(&root);
    let serving = postgres_demo::Serving {
        server,
        dist,
        examples: &root.join("examples"),
        dir: &dir,
    };
    let mut demo = postgres_demo::start(&serving, listen)?;
    println!();
    print_addresses(listen);
    println!("  Data directories:     {}", dir.display());
    for line in demo.describe() {
        println!("{line}");
    }
    println!();
    println!("  Press Ctrl-C to stop.");
    let outcome = demo.wait(&stop);
    drop(demo);
    outcome
}

/// `--listen <address>`, and `--chain` or `--postgres`.
fn demo_args(args: &[String]) -> Result<(String, Backend), String> {
    let mut listen = std::env::var("CHECKOUT_LISTEN").unwrap_or_else(|_| DEFAULT_LISTEN.into());
    let mut backend = Backend::Sqlite;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--chain" | "--postgres" if backend != Backend::Sqlite => {
                return Err("demo: --chain and --postgres are one or the other".into())
            }
            "--chain" => backend = Backend::Chain,
            "--postgres" => backend = Backend::Postgres,
            "--listen" => {
                listen = it
                    .next()
                    .ok_or("--listen needs an address, e.g. 127.0.0.1:8080")?
                    .clone()
            }
            other => return Err(format!("demo: unknown argument `{other}`")),
        }
    }
    Ok((listen, backend))
}

/// Builds the server binary with `profile` and returns its path.
pub fn build_server(profile: &str) -> Result<std::path::PathBuf, String> {
    process::run(Command::new("cargo").args([
        "build",
        "--package",
        "checkout-server",
        "--profile",
        profile,
    ]))?;
    let dir = if profile == "dev" { "debug" } else { profile };
    Ok(crate::root()
        .join("target")
        .join(dir)
        .join("checkout-server"))
}

#[cfg(test)]
mod tests {
    use super::{demo_args, Backend};

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|a| a.to_string()).collect()
    }

    #[test]
    fn the_demo_runs_on_sqlite_a_chain_or_postgres_but_not_two_at_once() {
        let backend = |list: &[&str]| demo_args(&args(list)).map(|(_, b)| b);
        assert_eq!(backend(&[]), Ok(Backend::Sqlite));
        assert_eq!(backend(&["--chain"]), Ok(Backend::Chain));
        assert_eq!(backend(&["--postgres"]), Ok(Backend::Postgres));
        let (listen, _) = demo_args(&args(&["--postgres", "--listen", "127.0.0.1:9000"])).unwrap();
        assert_eq!(listen, "127.0.0.1:9000");
        assert!(backend(&["--chain", "--postgres"]).is_err());
        assert!(backend(&["--postgres", "--chain"]).is_err());
    }
}
