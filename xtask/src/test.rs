//! `cargo xtask test`: every check and every test suite, with one summary line at the end.
//!
//! Steps run in order and the run goes on after a failure, so one summary shows everything that
//! is broken. The summary counts each test that ran plus each check (fmt, clippy, builds) as one.

use std::process::Command;

use crate::{build, demo, process, tools};

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

    /// Runs a test command and adds up its `test result:` lines.
    fn suite(&mut self, name: &str, cmd: &mut Command) {
        match process::run_captured(cmd) {
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
            }
            Err(message) => {
                self.check(name, Err(message));
            }
        }
    }
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
    let cargo = || Command::new("cargo");
    let ok = |r: &Result<_, String>| r.as_ref().map(|_| ()).map_err(Clone::clone);

    lint(&mut tally);
    native_tests(&mut tally);
    tally.suite(
        "wasm browser tests",
        cargo()
            .args([
                "test",
                "--package",
                "checkout-widget",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CHROMEDRIVER", tools::CHROMEDRIVER),
    );

    tally.check("React example type-check", crate::examples::typecheck());
    tally.check("fuzz (short)", crate::fuzz::quick());
    let dist = build::build_widget();
    let server = demo::build_server("dev");
    let axe = tools::ensure_axe();
    let built = tally.check("widget build", ok(&dist))
        & tally.check("server build", ok(&server))
        & tally.check("axe-core", ok(&axe));
    if let (true, Ok(dist), Ok(server), Ok(axe)) = (built, dist, server, axe) {
        // The native run checked the widget's sources; this checks what merchants download.
        tally.suite(
            "no secret in dist/",
            cargo()
                .args(["test", "--package", "checkout-server", "--test", "api"])
                .arg("no_configured_secret_is_in_the_widget_files")
                .env("CHECKOUT_TEST_DIST", &dist),
        );
        tally.suite(
            "end-to-end browser tests",
            cargo()
                .args(["test", "--package", "e2e", "--", "--test-threads=1"])
                .env("E2E_DIST", dist)
                .env("E2E_SERVER_BIN", server)
                .env("E2E_EXAMPLES", crate::root().join("examples"))
                .env("E2E_CHROMEDRIVER", tools::CHROMEDRIVER)
                .env("E2E_CHROMIUM", tools::CHROMIUM)
                .env("E2E_AXE", axe)
                // The journeys paid on a local chain; without it they say what is missing.
                .envs(crate::chain_tools::ensure_anvil().map(|a| ("E2E_ANVIL", a))),
        );
    }

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

/// The workspace's native tests; the EVM provider's run against a real node (anvil), each
/// test starting its own, and rebuild the test token with the pinned solc.
fn native_tests(tally: &mut Tally) {
    let ok = |r: &Result<_, String>| r.as_ref().map(|_| ()).map_err(Clone::clone);
    let anvil = crate::chain_tools::ensure_anvil();
    let solc = crate::chain_tools::ensure_solc();
    let mut native = Command::new("cargo");
    native.args(["test", "--workspace", "--exclude", "e2e"]);
    if tally.check("anvil", ok(&anvil)) & tally.check("solc", ok(&solc)) {
        if let (Ok(anvil), Ok(solc)) = (&anvil, &solc) {
            native
                .env("CHECKOUT_TEST_ANVIL", anvil)
                .env("CHECKOUT_TEST_SOLCJS", solc);
        }
    }
    tally.suite("native tests", &mut native);
}

#[cfg(test)]
mod tests {
    use super::count_results;

    #[test]
    fn sums_every_result_line() {
        let out = "test result: ok. 15 passed; 0 failed; 0 ignored; 0 measured\n\
                   noise\n\
                   test result: FAILED. 3 passed; 2 failed; 1 ignored; 0 measured";
        assert_eq!(count_results(out), (18, 2));
        assert_eq!(count_results("no tests here"), (0, 0));
    }
}
