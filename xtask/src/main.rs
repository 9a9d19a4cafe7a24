//! `cargo xtask <command>`: the one way in, for people and for CI.
//!
//! Every command installs what it needs when it is missing (at pinned versions), so a fresh
//! machine needs nothing but Rust. Tools are never downloaded from GitHub: Trunk would try, and
//! GitHub is unreachable where this project is built, so the versions Trunk expects are put on
//! PATH first.

mod apt;
mod bench;
mod build;
mod chain_demo;
mod chain_tools;
mod crate_sizes;
mod demo;
mod examples;
mod fuzz;
mod glue_classes;
mod health;
mod postgres;
mod postgres_demo;
mod precompress;
mod process;
mod screenshots;
mod short_names;
mod size_groups;
mod test;
mod tools;
mod wasm;
mod wasm_opt;
mod widget_linker;
mod widget_toolchain;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

  demo    build the widget, start the server with the sandbox provider, print the demo URL
          (--chain: against a local Ethereum node (anvil) with the EVM provider instead)
          (--postgres: two instances on a throw-away PostgreSQL, behind nginx round robin)
          (--listen ADDR, default 127.0.0.1:8080; or CHECKOUT_LISTEN)
  test    fmt, clippy, native tests (the API suite on SQLite and on a PostgreSQL server it
          starts), wasm browser tests, end-to-end browser tests
  build   build the deployable widget into dist/ and print its size against the budgets
          (--crates: also the wasm's bytes by crate; --check-budget: fail when over a budget)
  fuzz    the server's property fuzzing and Schemathesis at length (--cases N, --minutes N, --quick)
  screenshots
          every view, light and dark, English and Arabic, into target/screenshots/
  bench   every performance figure against its target, into target/bench/report.json
  setup   only install the tools the other commands need
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if widget_linker::invoked_as_linker(&args) {
        return widget_linker::run(&args);
    }
    let Some(command) = args.first() else {
        eprint!("{USAGE}");
        return ExitCode::from(2);
    };
    let rest = &args[1..];
    let result = match command.as_str() {
        "demo" => demo::run(rest),
        "test" => test::run(rest),
        "build" => build::run(rest),
        "fuzz" => fuzz::run(rest),
        "screenshots" => screenshots::run(rest),
        "bench" => bench::run(rest),
        "setup" => tools::setup_all(),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The workspace root (xtask lives one level below it).
pub fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask sits inside the workspace")
        .to_path_buf()
}
