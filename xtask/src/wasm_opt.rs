//! Binaryen's `wasm-opt` on the shipped module, after wasm-bindgen and before the debug sections
//! are dropped: the one optimisation of the whole module that the compiler cannot do (it sees
//! the module only before wasm-bindgen has removed its describe functions and rewritten imports).
//!
//! Our own step rather than Trunk's `data-wasm-opt`: Trunk passes no feature flags, and the
//! module needs exactly the ones below.

use std::path::Path;
use std::process::Command;

use crate::{process, tools, wasm};

/// `-O1`, run twice (the second pass finds what the first one exposed). Measured on the widget
/// (2026-11-30, bytes of the bundle `cargo xtask build` counts, brotli / gzip -9):
/// no wasm-opt 122 168 / 149 164; `-O1` once -1 484 / -2 339; `-O1 -O1` -1 756 / -2 591;
/// `-O2` +5 131 / +10 413; `-Os` +4 188 / +8 184; `-Oz` +4 303 / +8 233. The higher levels
/// inline, and the duplicated code compresses worse than the calls it replaced.
const PASSES: [&str; 2] = ["-O1", "-O1"];

/// The WebAssembly features the compiler uses in the module (the nightly's wasm32 defaults),
/// found by validating with `--mvp-features` and adding each one the validator asked for:
/// `memory.copy`/`memory.fill` (bulk memory), `i32.extend8_s` and friends (sign extension),
/// `i32.trunc_sat_f64_s` and friends (non-trapping float-to-int). Naming them keeps wasm-opt
/// from emitting any other feature Chromium might not have (`--all-features` would allow all of
/// them; TOOLCHAIN.md).
const FEATURES: [&str; 4] = [
    "--mvp-features",
    "--enable-bulk-memory-opt",
    "--enable-sign-ext",
    "--enable-nontrapping-float-to-int",
];

/// Optimises the module at `path` in place. The output goes to a file beside it first and
/// replaces the module only once it reads as a whole module: a run cut short (the Node-hosted
/// wasm-opt was once seen leaving 8 KB of a 400 KB module under a loaded machine) must fail the
/// build, not ship.
pub fn optimize(path: &Path) -> Result<(), String> {
    let wasm_opt = tools::ensure_wasm_opt()?;
    let output = path.with_extension("opt.wasm");
    process::run(
        Command::new(wasm_opt)
            .arg(path)
            .args(FEATURES)
            .args(PASSES)
            .arg("-o")
            .arg(&output),
    )?;
    let module = std::fs::read(&output).map_err(|e| format!("{}: {e}", output.display()))?;
    if wasm::sections(&module).is_none() {
        return Err(format!(
            "wasm-opt wrote {} bytes to {}, which is not a whole module",
            module.len(),
            output.display()
        ));
    }
    std::fs::rename(&output, path).map_err(|e| format!("{}: {e}", path.display()))
}
