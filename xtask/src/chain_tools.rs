//! The real Ethereum node and compiler the EVM provider's tests need, from the npm registry
//! (nothing from GitHub): Foundry's `anvil` (its Linux binary comes as the package's platform
//! dependency) and `solc`'s JavaScript build, which rebuilds the test token to check the
//! bytecode kept beside its source.

use std::path::PathBuf;

use crate::tools::{ensure_npm_package, npm_prefix};

pub const ANVIL_VERSION: &str = "1.7.1";
pub const SOLC_VERSION: &str = "0.8.37";

/// Installs `@foundry-rs/anvil` when missing; returns the path of the node's binary itself
/// (not the Node.js wrapper), so a test can stop it by its process id.
pub fn ensure_anvil() -> Result<PathBuf, String> {
    let platform = match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => "linux-amd64",
        ("linux", "aarch64") => "linux-arm64",
        ("macos", "x86_64") => "darwin-amd64",
        ("macos", "aarch64") => "darwin-arm64",
        (os, arch) => return Err(format!("anvil is not published for {os}/{arch}")),
    };
    ensure_npm_package(
        "@foundry-rs/anvil",
        ANVIL_VERSION,
        "the EVM provider's tests",
    )?;
    let binary = npm_prefix("@foundry-rs/anvil")
        .join("node_modules/@foundry-rs")
        .join(format!("anvil-{platform}"))
        .join("bin/anvil");
    if binary.exists() {
        Ok(binary)
    } else {
        Err(format!(
            "npm installed anvil without its binary {}",
            binary.display()
        ))
    }
}

/// Installs `solc` (solcjs) when missing; returns the path of the `solcjs` command.
pub fn ensure_solc() -> Result<PathBuf, String> {
    ensure_npm_package("solc", SOLC_VERSION, "rebuilding the EVM tests' token")?;
    Ok(npm_prefix("solc").join("node_modules/.bin/solcjs"))
}
