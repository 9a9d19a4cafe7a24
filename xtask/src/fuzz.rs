//! `cargo xtask fuzz`: the server's fuzzing at length; `quick()` is the short form that
//! `cargo xtask test` runs.
//!
//! Two kinds: the property-based targets (`fuzz_*` tests of the server crate: every request
//! body type, every webhook parser and signature check, every POST route), whose case count is
//! `PROPTEST_CASES`; and Schemathesis, which derives requests from the server's own OpenAPI
//! document and runs every one of its checks: no answer is a server error or contradicts the
//! document, every schema-valid request is accepted and every schema-violating one refused.
//! The long form adds the stateful phase, which follows the document's links (a created
//! checkout's id into get / pick / cancel, a payment's id into the sandbox's pay) to reach each
//! operation with real ids. `xtask/schemathesis.toml` names the few rules no JSON Schema can
//! state (and so where a 400 answers schema-valid data).

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{demo, process};

/// Pinned: a new release may add checks, which should be a deliberate upgrade.
const SCHEMATHESIS: &str = "4.32.5";
/// The merchant key of the throwaway server Schemathesis talks to.
const FUZZ_KEY: &str = "sk_fuzz_only_not_a_secret";

/// What each form spends.
struct Budget {
    proptest_cases: u32,
    schemathesis_examples: u32,
    /// Without a time budget Schemathesis stops after its examples; with one it keeps going.
    schemathesis_seconds: Option<u32>,
    /// Whether the stateful phase (sequences of calls along the document's links) runs.
    stateful: bool,
}

const QUICK: Budget = Budget {
    proptest_cases: 256,
    schemathesis_examples: 8,
    schemathesis_seconds: None,
    stateful: false,
};

/// The short form: about a minute once everything is built.
pub fn quick() -> Result<(), String> {
    fuzz(&QUICK)
}

/// The long form. `--cases N` (default 20 000) and `--minutes N` (default 5) size it;
/// `--quick` runs the short form alone.
pub fn run(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--quick") {
        return quick();
    }
    let mut budget = Budget {
        proptest_cases: 20_000,
        schemathesis_examples: 500,
        schemathesis_seconds: Some(300),
        stateful: true,
    };
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let mut number = |what: &str| -> Result<u32, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| format!("fuzz: {what} needs a whole number"))
        };
        match arg.as_str() {
            "--cases" => budget.proptest_cases = number("--cases")?,
            "--minutes" => budget.schemathesis_seconds = Some(number("--minutes")? * 60),
            other => return Err(format!("fuzz: unknown argument `{other}`")),
        }
    }
    fuzz(&budget)
}

fn fuzz(budget: &Budget) -> Result<(), String> {
    let properties = process::run(
        Command::new("cargo")
            .args(["test", "--package", "checkout-server", "fuzz_"])
            .env("PROPTEST_CASES", budget.proptest_cases.to_string()),
    );
    // Schemathesis runs even when a property failed: one run shows everything broken.
    let schema = schemathesis(budget);
    properties.and(schema)
}

/// Installs the pinned Schemathesis unless it is already there.
fn ensure_schemathesis() -> Result<(), String> {
    let installed = process::first_line("python3", &["-m", "schemathesis.cli", "--version"])
        .or_else(|| process::first_line("schemathesis", &["--version"]));
    if installed.is_some_and(|v| v.ends_with(SCHEMATHESIS)) {
        return Ok(());
    }
    process::run(Command::new("python3").args([
        "-m",
        "pip",
        "install",
        "--quiet",
        &format!("schemathesis=={SCHEMATHESIS}"),
    ]))
}

/// A free port on the loopback interface (released before the server binds it).
fn free_listen() -> Result<String, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    Ok(addr.to_string())
}

/// Stops the throwaway server however the run ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn schemathesis(budget: &Budget) -> Result<(), String> {
    ensure_schemathesis()?;
    let server = demo::build_server("dev")?;
    let listen = free_listen()?;
    let data = std::env::temp_dir().join(format!("checkout-fuzz-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let child = Command::new(&server)
        .arg("serve")
        .env("CHECKOUT_LISTEN", &listen)
        .env("CHECKOUT_DATA_DIR", &data)
        .env("CHECKOUT_MERCHANT_API_KEY", FUZZ_KEY)
        // The limit would answer most generated requests with 429 (documented, but untested
        // behaviour); the document is what is under test here.
        .env("CHECKOUT_RATE_LIMIT", "0")
        .env("CHECKOUT_DEMO", "1")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("starting {}: {e}", server.display()))?;
    let mut running = Running(child);
    crate::health::wait_healthy(&listen, Duration::from_secs(30), &mut running.0)?;
    let mut command = Command::new("python3");
    let config = crate::root().join("xtask").join("schemathesis.toml");
    let phases = if budget.stateful {
        "examples,coverage,fuzzing,stateful"
    } else {
        "examples,coverage,fuzzing"
    };
    command
        .arg("-m")
        .arg("schemathesis.cli")
        .arg("--config-file")
        .arg(&config)
        .arg("run")
        .arg(format!("http://{listen}/api/openapi.json"))
        .args(["--header", &format!("Authorization: Bearer {FUZZ_KEY}")])
        .args(["--checks", "all"])
        // A live stream only ends with its checkout: a request never gets a whole response to
        // check (its events are the server's API tests' to check).
        .args(["--exclude-operation-id", "streamStatus"])
        .args(["--phases", phases])
        .args(["--max-examples", &budget.schemathesis_examples.to_string()])
        // One worker: with two, Schemathesis's threads parse Python source at the same time
        // and CPython 3.11.7 (this machine's) can fail it with "SystemError: AST constructor
        // recursion depth mismatch", an error of the tool, not of the server (seen in CI,
        // 2026-11-30).
        .args(["--request-timeout", "10", "--workers", "1"])
        // Schemathesis keeps a cache in its working directory: not in the repository.
        .current_dir(std::env::temp_dir());
    if let Some(seconds) = budget.schemathesis_seconds {
        command.args(["--max-time", &seconds.to_string()]);
    }
    let result = process::run(&mut command);
    drop(running);
    remove_quietly(&data);
    result
}

fn remove_quietly(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}
