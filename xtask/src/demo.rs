//! `cargo xtask demo`: the widget, the server and the sandbox provider, from one command.

use std::process::{Child, Command};
use std::time::{Duration, Instant};

use crate::{build, process};

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

pub fn run(args: &[String]) -> Result<(), String> {
    let (listen, on_chain) = demo_args(args)?;
    let dist = build::build_widget()?;
    let server = build_server("server")?;
    // The React example is the one page that needs a build; without npm the rest still runs.
    if let Err(e) = crate::examples::build() {
        eprintln!("xtask: the React example is not built ({e}); the other examples work");
    }
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
    println!("  Demo merchant pages:  http://{listen}/examples/");
    println!("  The widget:           http://{listen}/widget/widget.js");
    println!("  Server API document:  http://{listen}/api/openapi.json");
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

/// `--listen <address>` and `--chain`.
fn demo_args(args: &[String]) -> Result<(String, bool), String> {
    let mut listen = std::env::var("CHECKOUT_LISTEN").unwrap_or_else(|_| DEFAULT_LISTEN.into());
    let mut on_chain = false;
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--chain" => on_chain = true,
            "--listen" => {
                listen = it
                    .next()
                    .ok_or("--listen needs an address, e.g. 127.0.0.1:8080")?
                    .clone()
            }
            other => return Err(format!("demo: unknown argument `{other}`")),
        }
    }
    Ok((listen, on_chain))
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

/// Polls `GET /healthz` until it answers 200, the child exits, or `timeout` passes.
pub fn wait_healthy(listen: &str, timeout: Duration, child: &mut Child) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the server exited during start-up: {status}"));
        }
        if health_ok(listen) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "the server did not become healthy on {listen} within {timeout:?}"
    ))
}

fn health_ok(listen: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(listen) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {listen}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}
