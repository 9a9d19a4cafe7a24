//! `cargo xtask test`: every check and every test suite, with one summary line at the end.
//!
//! Steps run in order and the run goes on after a failure, so one summary shows everything that
//! is broken. The summary counts each test that ran plus each check (fmt, clippy, builds) as one.

use std::process::Command;

use crate::postgres::TestPostgres;
use crate::{build, demo, process, tools};

/// Where the tests find the PostgreSQL server (`checkout_server::store::postgres::scratch`).
const POSTGRES_VAR: &str = "CHECKOUT_TEST_POSTGRES";

#[derive(Default)]
struct Tally {
    passed: u64,
    failed: u64,
    failed_steps: Vec<String>,
}

impl Tally {
    fn check(&mut self, name: &str, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => {
                self.passed += 1;
                true
            }
            Err(message) => {
                eprintln!("xtask: {name}: {message}");
                self.failed += 1;
                self.failed_steps.push(name.to_owned());
                false
            }
        }
    }

    /// Runs a test command and adds up its `test result:` lines; returns them too.
    fn suite(&mut self, name: &str, cmd: &mut Command) -> (u64, u64) {
        let outcome = process::run_captured(cmd);
        self.add_suite(name, outcome)
    }

    /// Adds up the `test result:` lines of a suite that ran (success, output).
    fn add_suite(&mut self, name: &str, outcome: Result<(bool, String), String>) -> (u64, u64) {
        match outcome {
            Ok((success, output)) => {
                let (passed, failed) = count_results(&output);
                self.passed += passed;
                self.failed += failed;
                if !success {
                    // A suite that failed without a failing test (build error, crash) still fails.
                    if failed == 0 {
                        self.failed += 1;
                    }
                    self.failed_steps.push(name.to_owned());
                }
                (passed, failed)
            }
            Err(message) => {
                self.check(name, Err(message));
                (0, 0)
            }
        }
    }
}

/// The workspace's native tests (the API suite on SQLite, the stores' checks on both) and, at
/// the same time, the API suite again on PostgreSQL, on the run's PostgreSQL server at
/// `postgres` (empty when it could not start: then the PostgreSQL tests fail and say why). The
/// two runs overlap because the API tests mostly wait (on timers, sockets and child
/// processes); the PostgreSQL run's output is printed when both are done.
fn native_suites(tally: &mut Tally, postgres: &str) {
    let chain = chain_tools(tally);
    let url = postgres.to_owned();
    let chain_env = chain.clone();
    let on_postgres = api_test_binary().map(|binary| {
        let url = url.clone();
        std::thread::spawn(move || {
            let started = std::time::Instant::now();
            let outcome = Command::new(binary)
                .current_dir(crate::root().join("crates").join("server"))
                .env("CHECKOUT_TEST_STORE", "postgres")
                .env(POSTGRES_VAR, url)
                .envs(chain)
                .output()
                .map(|out| {
                    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
                    text.push_str(&String::from_utf8_lossy(&out.stderr));
                    (out.status.success(), text)
                })
                .map_err(|e| format!("could not run the API tests: {e}"));
            (outcome, started.elapsed().as_secs())
        })
    });
    tally.suite(
        "native tests",
        Command::new("cargo")
            .args(["test", "--workspace", "--exclude", "e2e"])
            .env(POSTGRES_VAR, &url)
            .envs(chain_env),
    );
    let (outcome, secs) = match on_postgres {
        Ok(running) => running
            .join()
            .unwrap_or_else(|_| (Err("the API test thread panicked".into()), 0)),
        Err(message) => (Err(message), 0),
    };
    if let Ok((_, output)) = &outcome {
        println!("--- the API suite on PostgreSQL ---\n{output}");
    }
    let (passed, failed) = tally.add_suite("API tests on PostgreSQL", outcome);
    eprintln!("xtask: the API suite on PostgreSQL: {passed} passed, {failed} failed ({secs} s)");
}

/// Builds the server's API test binary and returns its path (cargo prints it as
/// `Executable tests/api/main.rs (target/debug/deps/api-…)`).
fn api_test_binary() -> Result<std::path::PathBuf, String> {
    let out = Command::new("cargo")
        .args([
            "test",
            "--package",
            "checkout-server",
            "--test",
            "api",
            "--no-run",
        ])
        .current_dir(crate::root())
        .output()
        .map_err(|e| format!("could not build the API tests: {e}"))?;
    let text = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!("building the API tests failed:\n{text}"));
    }
    executable_of(&text)
        .map(|path| crate::root().join(path))
        .ok_or_else(|| format!("no test executable named in:\n{text}"))
}

/// The path in cargo's `Executable … (<path>)` line.
fn executable_of(cargo_output: &str) -> Option<&str> {
    cargo_output
        .lines()
        .find_map(|l| l.trim().strip_prefix("Executable "))
        .and_then(|rest| rest.rsplit_once('(')?.1.strip_suffix(')'))
}

/// Sums libtest's `test result: ok. 3 passed; 1 failed; ...` lines.
fn count_results(output: &str) -> (u64, u64) {
    let mut totals = (0, 0);
    for line in output.lines() {
        let Some(rest) = line.trim().strip_prefix("test result: ") else {
            continue;
        };
        for part in rest.split([';', '.']) {
            let mut words = part.split_whitespace();
            if let (Some(n), Some(kind)) = (words.next(), words.next()) {
                match (n.parse::<u64>(), kind) {
                    (Ok(n), "passed") => totals.0 += n,
                    (Ok(n), "failed") => totals.1 += n,
                    _ => {}
                }
            }
        }
    }
    totals
}

pub fn run(args: &[String]) -> Result<(), String> {
    if let Some(other) = args.first() {
        return Err(format!("test: unknown argument `{other}`"));
    }
    let started = std::time::Instant::now();
    tools::setup_all()?;
    let mut tally = Tally::default();

    lint(&mut tally);
    // One PostgreSQL server for the whole run (the API suite's and the journeys' databases are
    // made on it), stopped and removed when this guard goes, whatever the tests did.
    let postgres = match TestPostgres::start() {
        Ok(server) => Some(server),
        Err(message) => {
            tally.check("PostgreSQL for the tests", Err(message));
            None
        }
    };
    let postgres_url = postgres.as_ref().map(TestPostgres::url).unwrap_or_default();
    native_suites(&mut tally, &postgres_url);
    wasm_browser_tests(&mut tally);
    tally.check("React example type-check", crate::examples::typecheck());
    tally.check("fuzz (short)", crate::fuzz::quick());
    end_to_end(&mut tally, &postgres_url);
    drop(postgres);

    println!();
    if !tally.failed_steps.is_empty() {
        println!("failed steps: {}", tally.failed_steps.join(", "));
    }
    println!(
        "{} passed, {} failed ({} s)",
        tally.passed,
        tally.failed,
        started.elapsed().as_secs()
    );
    if tally.failed == 0 && tally.failed_steps.is_empty() {
        Ok(())
    } else {
        Err("some checks failed".into())
    }
}

/// Formatting and clippy, native and wasm32.
fn lint(tally: &mut Tally) {
    let cargo = || Command::new("cargo");
    tally.check(
        "cargo fmt --check",
        process::run(cargo().args(["fmt", "--all", "--check"])),
    );
    tally.check(
        "clippy (native)",
        process::run(cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
    tally.check(
        "clippy (wasm32)",
        process::run(cargo().args([
            "clippy",
            "--package",
            "checkout-widget",
            "--target",
            "wasm32-unknown-unknown",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
    );
}

/// The EVM provider's tests run against a real node (anvil, each test starting its own) and
/// rebuild the test token with the pinned solc: the variables that say where both are, or
/// nothing (then those tests fail and say what is missing) when either could not be installed.
fn chain_tools(tally: &mut Tally) -> Vec<(&'static str, std::path::PathBuf)> {
    let ok = |r: &Result<_, String>| r.as_ref().map(|_| ()).map_err(Clone::clone);
    let anvil = crate::chain_tools::ensure_anvil();
    let solc = crate::chain_tools::ensure_solc();
    match (
        tally.check("anvil", ok(&anvil)),
        tally.check("solc", ok(&solc)),
        anvil,
        solc,
    ) {
        (true, true, Ok(anvil), Ok(solc)) => vec![
            ("CHECKOUT_TEST_ANVIL", anvil),
            ("CHECKOUT_TEST_SOLCJS", solc),
        ],
        _ => Vec::new(),
    }
}

/// The widget's tests in headless Chromium. Chromium leaves scratch directories (about 100 MB
/// each) in TMPDIR when its driver stops it; this one is removed after the suite.
fn wasm_browser_tests(tally: &mut Tally) {
    let browser_tmp = crate::root().join("target").join("browser-tmp");
    let _ = std::fs::create_dir_all(&browser_tmp);
    tally.suite(
        "wasm browser tests",
        Command::new("cargo")
            .args([
                "test",
                "--package",
                "checkout-widget",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("TMPDIR", &browser_tmp),
    );
    let _ = std::fs::remove_dir_all(&browser_tmp);
}

/// What merchants download, checked for secrets, and the journeys in headless Chromium against
/// the built widget and server (behind nginx for three, two of them with two instances on a
/// database of their own on the run's PostgreSQL server at `postgres`; on a local chain for
/// two).
fn end_to_end(tally: &mut Tally, postgres: &str) {
    let ok = |r: &Result<_, String>| r.as_ref().map(|_| ()).map_err(Clone::clone);
    let dist = build::build_widget();
    let server = demo::build_server("dev");
    let axe = tools::ensure_axe();
    let nginx = tools::ensure_nginx();
    let built = tally.check("widget build", ok(&dist))
        & tally.check("server build", ok(&server))
        & tally.check("axe-core", ok(&axe))
        & tally.check("nginx", ok(&nginx));
    let (true, Ok(dist), Ok(server), Ok(axe), Ok(nginx)) = (built, dist, server, axe, nginx) else {
        return;
    };
    // The native run checked the widget's sources; this checks what merchants download.
    tally.suite(
        "no secret in dist/",
        Command::new("cargo")
            .args(["test", "--package", "checkout-server", "--test", "api"])
            .arg("no_configured_secret_is_in_the_widget_files")
            .env("CHECKOUT_TEST_DIST", &dist),
    );
    tally.suite(
        "end-to-end browser tests",
        Command::new("cargo")
            .args(["test", "--package", "e2e", "--", "--test-threads=1"])
            .env("E2E_DIST", dist)
            .env("E2E_SERVER_BIN", server)
            .env("E2E_EXAMPLES", crate::root().join("examples"))
            .env("E2E_CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("E2E_CHROMIUM", tools::CHROMIUM)
            .env("E2E_AXE", axe)
            .env("E2E_NGINX", nginx)
            // Empty when PostgreSQL could not start: those journeys then say what is missing.
            .env("E2E_POSTGRES", postgres)
            // The journeys paid on a local chain; without it they say what is missing.
            .envs(crate::chain_tools::ensure_anvil().map(|a| ("E2E_ANVIL", a))),
    );
}

#[cfg(test)]
mod tests {
    use super::{count_results, executable_of};

    #[test]
    fn finds_the_test_executable_cargo_built() {
        let out = "   Compiling x\n    Finished `test` profile\n  Executable tests/api/main.rs \
                   (target/debug/deps/api-0123abcd)\n";
        assert_eq!(executable_of(out), Some("target/debug/deps/api-0123abcd"));
        assert_eq!(executable_of("Finished"), None);
    }

    #[test]
    fn sums_every_result_line() {
        let out = "test result: ok. 15 passed; 0 failed; 0 ignored; 0 measured\n\
                   noise\n\
                   test result: FAILED. 3 passed; 2 failed; 1 ignored; 0 measured";
        assert_eq!(count_results(out), (18, 2));
        assert_eq!(count_results("no tests here"), (0, 0));
    }
}
