//! Installing the tools the other commands need, only when missing or at the wrong version.
//!
//! Pins: Trunk 0.21.14 (0.22 needs a newer rustc than the machine's), wasm-bindgen-cli equal to
//! Cargo.lock's wasm-bindgen (the generated glue and the library must match exactly; Trunk.toml
//! names the same version so Trunk uses ours instead of downloading one), the widget's nightly
//! (`widget_toolchain::WIDGET_TOOLCHAIN`), and the npm packages axe-core, esbuild and binaryen.

use std::path::PathBuf;
use std::process::Command;

use crate::process::{first_line, run};
use crate::widget_toolchain::WIDGET_TOOLCHAIN;

pub const TRUNK_VERSION: &str = "0.21.14";

pub fn setup_all() -> Result<(), String> {
    ensure_build_tools()?;
    ensure_browser()
}

/// What building the widget needs: the wasm32 target (the browser tests build with stable),
/// the shipped build's pinned nightly, wasm-bindgen-cli, Trunk, esbuild and wasm-opt.
pub fn ensure_build_tools() -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_widget_toolchain()?;
    ensure_wasm_bindgen()?;
    ensure_trunk()?;
    ensure_esbuild()?;
    ensure_wasm_opt().map(|_| ())
}

fn ensure_wasm_target() -> Result<(), String> {
    let installed = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("wasm32-unknown-unknown"))
        .unwrap_or(false);
    if installed {
        return Ok(());
    }
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

/// The pinned nightly of [`WIDGET_TOOLCHAIN`] with `rust-src` (build-std compiles the standard
/// library from it), installed with the minimal profile when either is missing
/// (about 16 s). Looked up in rustup's lists rather than by running `rustc +toolchain`, which
/// newer rustups answer by installing the toolchain with its default profile.
fn ensure_widget_toolchain() -> Result<(), String> {
    let toolchain = WIDGET_TOOLCHAIN;
    let listed = |args: &[&str], wanted: &str| {
        Command::new("rustup")
            .args(args)
            .output()
            .map(|o| {
                String::from_utf8_lossy(&o.stdout)
                    .lines()
                    .any(|l| l.starts_with(wanted))
            })
            .unwrap_or(false)
    };
    let installed = listed(&["toolchain", "list"], &format!("{toolchain}-"))
        && listed(
            &["component", "list", "--installed", "--toolchain", toolchain],
            "rust-src",
        );
    if installed {
        return Ok(());
    }
    eprintln!("xtask: installing the {toolchain} toolchain with rust-src (about 20 seconds)");
    run(Command::new("rustup").args([
        "toolchain",
        "install",
        toolchain,
        "--profile",
        "minimal",
        "--component",
        "rust-src",
    ]))
}

/// The wasm-bindgen version in Cargo.lock: the only version the CLI may have.
pub fn locked_wasm_bindgen() -> Result<String, String> {
    let lock = std::fs::read_to_string(crate::root().join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line == "name = \"wasm-bindgen\"" {
            if let Some(version) = lines.next().and_then(|l| l.strip_prefix("version = ")) {
                return Ok(version.trim_matches('"').to_owned());
            }
        }
    }
    Err("Cargo.lock has no wasm-bindgen entry".into())
}

fn ensure_wasm_bindgen() -> Result<(), String> {
    let wanted = locked_wasm_bindgen()?;
    check_trunk_toml_pin(&wanted)?;
    let have = first_line("wasm-bindgen", &["--version"]);
    let runner = first_line("wasm-bindgen-test-runner", &["--version"]);
    let want_line = format!("wasm-bindgen {wanted}");
    let runner_ok = runner.is_some_and(|r| r.ends_with(&wanted));
    if have.as_deref() == Some(want_line.as_str()) && runner_ok {
        return Ok(());
    }
    eprintln!(
        "xtask: installing wasm-bindgen-cli {wanted} (found {}; about 3 minutes)",
        have.as_deref().unwrap_or("none")
    );
    // Not --locked: a dependency version in its lock file is missing from the registry.
    run(Command::new("cargo").args([
        "install",
        "wasm-bindgen-cli",
        "--version",
        &wanted,
        "--force",
    ]))
}

/// Trunk downloads wasm-bindgen from GitHub unless the one on PATH has the version Trunk.toml
/// names, so the two pins must agree.
fn check_trunk_toml_pin(wanted: &str) -> Result<(), String> {
    let trunk_toml = std::fs::read_to_string(crate::root().join("Trunk.toml"))
        .map_err(|e| format!("cannot read Trunk.toml: {e}"))?;
    let pinned = trunk_toml
        .lines()
        .find_map(|l| l.trim().strip_prefix("wasm_bindgen = "))
        .map(|v| v.trim_matches('"').to_owned());
    match pinned {
        Some(p) if p == wanted => Ok(()),
        Some(p) => Err(format!(
            "Trunk.toml pins wasm_bindgen = \"{p}\" but Cargo.lock has wasm-bindgen {wanted}; \
             set [tools] wasm_bindgen = \"{wanted}\" in Trunk.toml"
        )),
        None => Err(format!(
            "Trunk.toml must pin [tools] wasm_bindgen = \"{wanted}\" (or Trunk downloads it)"
        )),
    }
}

fn ensure_trunk() -> Result<(), String> {
    let have = first_line("trunk", &["--version"]);
    if have.as_deref() == Some(format!("trunk {TRUNK_VERSION}").as_str()) {
        return Ok(());
    }
    eprintln!(
        "xtask: installing trunk {TRUNK_VERSION} (found {}; about 10 minutes on 2 cores)",
        have.as_deref().unwrap_or("none")
    );
    run(Command::new("cargo").args([
        "install",
        "--locked",
        &format!("trunk@{TRUNK_VERSION}"),
        "--force",
    ]))
}

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Chromium and its WebDriver, from Debian's packages.
pub fn ensure_browser() -> Result<(), String> {
    let chromium = first_line(CHROMIUM, &["--version"]);
    let driver = first_line(CHROMEDRIVER, &["--version"]);
    if chromium.is_some() && driver.is_some() {
        return Ok(());
    }
    crate::apt::install(
        &["chromium", "chromium-driver"],
        &format!(
            "the browser tests need Chromium and ChromeDriver at {CHROMIUM} and {CHROMEDRIVER}"
        ),
    )
}

/// The distribution's nginx, which the journeys behind a load balancer start with a
/// configuration of their own (Debian 12: 1.22).
pub const NGINX: &str = "/usr/sbin/nginx";

pub fn ensure_nginx() -> Result<PathBuf, String> {
    if !crate::process::exists(NGINX) {
        crate::apt::install(&["nginx"], "the journeys behind a load balancer need nginx")?;
    }
    Ok(PathBuf::from(NGINX))
}

pub const AXE_CORE_VERSION: &str = "4.14.1";

/// axe-core from the npm registry, for the accessibility journey. Returns the path of
/// `axe.min.js`.
pub fn ensure_axe() -> Result<PathBuf, String> {
    let package = ensure_npm_package("axe-core", AXE_CORE_VERSION, "the accessibility journey")?;
    Ok(package.join("axe.min.js"))
}

/// esbuild minifies the JavaScript in dist/ after Trunk and bundles the glue with its snippets
/// (Trunk's own `--minify` cannot parse wasm-bindgen's glue). The npm package brings its Linux binary as an optional dependency from
/// the same registry. Pinned: its output is what payers download.
pub const ESBUILD_VERSION: &str = "0.28.2";

/// Returns the path of the `esbuild` command.
pub fn ensure_esbuild() -> Result<PathBuf, String> {
    ensure_npm_package(
        "esbuild",
        ESBUILD_VERSION,
        "minifying the widget's JavaScript",
    )?;
    Ok(npm_prefix("esbuild")
        .join("node_modules")
        .join(".bin")
        .join("esbuild"))
}

/// Binaryen's `wasm-opt` optimises the shipped module (`wasm_opt`). From npm at 132: Debian's
/// `binaryen` (wasm-opt 108) writes modules Chromium refuses to load (TOOLCHAIN.md), and
/// GitHub's release downloads are unreachable here. The package's `wasm-opt` is Binaryen
/// compiled to WebAssembly, run by Node: slower than a native one (about 15 s a pass on the
/// widget) but the same output. Pinned: its output is what payers download.
pub const BINARYEN_VERSION: &str = "132.0.0";

/// Returns the path of the `wasm-opt` command.
pub fn ensure_wasm_opt() -> Result<PathBuf, String> {
    ensure_npm_package(
        "binaryen",
        BINARYEN_VERSION,
        "optimising the widget's WebAssembly",
    )?;
    Ok(npm_prefix("binaryen")
        .join("node_modules")
        .join(".bin")
        .join("wasm-opt"))
}

/// Where the npm package `name` is installed: under target/ (a clean build removes it), one
/// prefix a package, because `npm install --no-save` into a shared prefix removes the packages
/// that an earlier `--no-save` put there.
pub fn npm_prefix(name: &str) -> PathBuf {
    crate::root().join("target").join("npm").join(name)
}

/// Installs `name@version` from the npm registry unless that version is already there; returns
/// the package's directory. `purpose` names what needs it, for the error without npm.
pub fn ensure_npm_package(name: &str, version: &str, purpose: &str) -> Result<PathBuf, String> {
    let prefix = npm_prefix(name);
    let package = prefix.join("node_modules").join(name);
    let installed = std::fs::read_to_string(package.join("package.json"))
        .map(|p| p.contains(&format!("\"version\": \"{version}\"")))
        .unwrap_or(false);
    if installed {
        return Ok(package);
    }
    if first_line("npm", &["--version"]).is_none() {
        return Err(format!(
            "{purpose} needs npm (Node.js) to fetch {name}; on Debian: apt-get install -y nodejs npm"
        ));
    }
    std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
    run(Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--no-save",
            "--prefix",
        ])
        .arg(&prefix)
        .arg(format!("{name}@{version}")))?;
    Ok(package)
}
