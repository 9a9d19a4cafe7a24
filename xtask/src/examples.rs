//! The React example: a typed embedding of `<app-widget>`, built with npm for the demo and
//! type-checked by the tests (so `widget.d.ts` is proven usable from TypeScript).

use std::process::Command;

use crate::process::{first_line, run};

fn dir() -> std::path::PathBuf {
    crate::root().join("examples").join("react")
}

/// Installs the example's packages exactly as locked, when they are missing or stale.
fn install() -> Result<(), String> {
    if first_line("npm", &["--version"]).is_none() {
        return Err(
            "the React example needs npm (Node.js); on Debian: apt-get install -y nodejs npm"
                .into(),
        );
    }
    let dir = dir();
    let lock = dir.join("package-lock.json");
    let installed = dir.join("node_modules").join(".package-lock.json");
    let fresh = match (std::fs::metadata(&lock), std::fs::metadata(&installed)) {
        (Ok(l), Ok(i)) => match (l.modified(), i.modified()) {
            (Ok(l), Ok(i)) => i >= l,
            _ => false,
        },
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir))
}

/// `tsc --noEmit` over the example and the shipped type declarations.
pub fn typecheck() -> Result<(), String> {
    install()?;
    run(Command::new("npm")
        .args(["run", "typecheck"])
        .current_dir(dir()))
}

/// Builds examples/react/dist for the demo server.
pub fn build() -> Result<(), String> {
    install()?;
    run(Command::new("npm")
        .args(["run", "build"])
        .current_dir(dir()))
}
