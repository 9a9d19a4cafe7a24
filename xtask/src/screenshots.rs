//! `cargo xtask screenshots`: every view, light and dark, English and Arabic, into
//! target/screenshots/ (see crates/e2e/src/bin/screenshots.rs).

use std::process::Command;

use crate::{build, demo, process, tools};

pub fn run(_args: &[String]) -> Result<(), String> {
    tools::ensure_browser()?;
    let dist = build::build_widget()?;
    let server = demo::build_server("dev")?;
    let axe = tools::ensure_axe()?;
    process::run(
        Command::new("cargo")
            .args(["run", "--quiet", "--package", "e2e", "--bin", "screenshots"])
            .env("E2E_DIST", dist)
            .env("E2E_SERVER_BIN", server)
            .env("E2E_CHROMEDRIVER", tools::CHROMEDRIVER)
            .env("E2E_CHROMIUM", tools::CHROMIUM)
            .env("E2E_AXE", axe),
    )
}
