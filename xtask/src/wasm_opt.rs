//! Binaryen's `wasm-opt` on the shipped module, after wasm-bindgen and before the debug sections
//! are dropped: the one optimisation of the whole module that the compiler cannot do (it sees
//! the module only before wasm-bindgen has removed its describe functions and rewritten imports).
//!
//! Our own step rather than Trunk's `data-wasm-opt`: Trunk passes no feature flags, and the
//! module needs exactly the ones below.

use std::path::Path;
use std::process::Command;

use crate::{process, tools, wasm, widget_linker};

/// `-Os` without its general inlining, run until it changes nothing more (`--converge`):
/// Binaryen's size passes (dead arguments, code folding, local CSE, ...) do help, but its
/// inliner copies code, and the copies compress worse than the calls they replace. The only
/// inlining kept is of a function with one caller and at most 15 instructions' worth of size
/// (`-ocimfs 15`), which removes a call and duplicates nothing.
///
/// Measured on the widget (2026-11-30, the module after wasm-bindgen, brotli / gzip -9):
/// no wasm-opt 110 755 / 135 254; `-O1 -O1` (the step before this one) 109 498 / 132 988;
/// this 107 509 / 130 341 (-1 989 / -2 647 against `-O1 -O1`). One-caller limits 10 / 20 / 25 / 30 / 50 / 200: 107 582 / 107 651 /
/// 108 049 / 108 178 / 109 471 / 113 981 brotli; `-Oz` in place of `-Os` +300; without
/// `--converge` +100..+400; `-O2`/`-O3` without inlining within 600 of `-Os`. Earlier, with
/// Binaryen's default inlining: no wasm-opt 122 168 / 149 164 (whole bundle), `-O2` +5 131 /
/// +10 413, `-Os` +4 188 / +8 184, `-Oz` +4 303 / +8 233 against `-O1 -O1`. Adding
/// `--dae-optimizing` to `-O1` -419; `--gufa-optimizing` +446; `--reorder-functions` +2 677.
const PASSES: [&str; 8] = [
    "-Os",
    "-fimfs",
    "0",
    "-aimfs",
    "0",
    "-ocimfs",
    "15",
    "--converge",
];

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

/// The names of the module's exports that [`widget_linker`] should have kept out of the link;
/// `None` if it is not a module. Checked before wasm-opt, so that a linker that stopped
/// dropping them (a rustc passing its arguments another way, say) fails the build rather than
/// quietly shipping their code again.
pub fn dropped_exports_present(module: &[u8]) -> Option<Vec<String>> {
    let (_, sections) = wasm::sections(module)?;
    let mut found = Vec::new();
    for section in sections.iter().filter(|s| s.id == wasm::EXPORT) {
        for export in wasm::exports(section.body)? {
            let name = String::from_utf8_lossy(export.name).into_owned();
            if widget_linker::is_dropped_export(&name) {
                found.push(name);
            }
        }
    }
    Some(found)
}

/// Optimises the module at `path` in place. The output goes to a file beside it first and
/// replaces the module only once it reads as a whole module: a run cut short (the Node-hosted
/// wasm-opt was once seen leaving 8 KB of a 400 KB module under a loaded machine) must fail the
/// build, not ship.
pub fn optimize(path: &Path) -> Result<(), String> {
    optimize_with(path, &[])
}

/// [`optimize`] with the module's function names kept (`--debuginfo`), for the size breakdown:
/// the same code as shipped, with names to count it by.
pub fn optimize_keeping_names(path: &Path) -> Result<(), String> {
    optimize_with(path, &["--debuginfo"])
}

fn optimize_with(path: &Path, extra: &[&str]) -> Result<(), String> {
    let wasm_opt = tools::ensure_wasm_opt()?;
    let module = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let left = dropped_exports_present(&module)
        .ok_or_else(|| format!("{} is not a WebAssembly module", path.display()))?;
    if !left.is_empty() {
        return Err(format!(
            "{} still exports {} (the widget's linker should have left them out)",
            path.display(),
            left.join(", ")
        ));
    }
    let output = path.with_extension("opt.wasm");
    process::run(
        Command::new(wasm_opt)
            .arg(path)
            .args(FEATURES)
            .args(PASSES)
            .args(extra)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasm::tests::{leb, name, section, HEADER};

    fn exports(entries: &[(&str, u8, usize)]) -> Vec<u8> {
        let mut contents = leb(entries.len());
        for (field, kind, index) in entries {
            contents.extend(name(field));
            contents.push(*kind);
            contents.extend(leb(*index));
        }
        section(wasm::EXPORT, &contents)
    }

    #[test]
    fn the_stream_classes_exports_are_found_and_nothing_else() {
        let mut module = HEADER.to_vec();
        module.extend(section(1, &[1, 0x60, 0, 0]));
        module.extend(exports(&[
            ("memory", 2, 0),
            ("intounderlyingsource_pull", 0, 300),
            ("define", 0, 7),
            ("__wbg_intounderlyingsink_free", 0, 2),
        ]));
        assert_eq!(
            dropped_exports_present(&module),
            Some(vec![
                "intounderlyingsource_pull".to_owned(),
                "__wbg_intounderlyingsink_free".to_owned()
            ])
        );
        assert_eq!(dropped_exports_present(b"not wasm"), None);
    }

    #[test]
    fn a_module_without_them_has_none() {
        let mut module = HEADER.to_vec();
        module.extend(exports(&[("define", 0, 1), ("__wbindgen_start", 0, 2)]));
        assert_eq!(dropped_exports_present(&module), Some(vec![]));
    }
}
