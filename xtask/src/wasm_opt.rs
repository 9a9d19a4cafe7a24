//! Binaryen's `wasm-opt` on the shipped module, after wasm-bindgen and before the debug sections
//! are dropped: the one optimisation of the whole module that the compiler cannot do (it sees
//! the module only before wasm-bindgen has removed its describe functions and rewritten imports).
//!
//! Our own step rather than Trunk's `data-wasm-opt`: Trunk passes no feature flags, and the
//! module needs exactly the ones below.

use std::path::Path;
use std::process::Command;

use crate::{process, tools, wasm};

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

/// Exports no caller uses, by name prefix: the JavaScript classes of `wasm-streams`
/// (`IntoUnderlyingSource`, `IntoUnderlyingByteSource`, `IntoUnderlyingSink`, their methods and
/// their `__wbg_…_free`). Leptos always links `server_fn` with its browser client, and that
/// client's streaming bodies export these classes; the widget has no server functions, so
/// nothing ever calls them, but an export is a root the linker must keep, with everything it
/// reaches (the stream adapters, their futures and promises). Dropped before wasm-opt, which
/// then removes the code only they reached. Not all of it: the closures those functions hand to
/// JavaScript are entries of the function table, which wasm-opt must keep whole (any
/// `call_indirect` may reach any entry), so about 8 of the 10 KB raw of functions named after
/// `wasm_streams` stay. The glue keeps its JavaScript classes for them, which nothing
/// constructs.
///
/// Measured (2026-11-30, the bundle `cargo xtask build` counts, brotli / gzip -9, with
/// `--cfg erase_components`): 112 400 / 137 812 -> 111 196 / 136 278 (-1 204 / -1 534). Also
/// leaving the glue's three JavaScript classes out of its bundle (esbuild tree-shakes them when
/// only `default` and `define` are re-exported) saved about 100 bytes gzip: not done.
pub const UNUSED_EXPORT_PREFIXES: [&str; 2] = ["intounderlying", "__wbg_intounderlying"];

/// Whether an export of this name is one of [`UNUSED_EXPORT_PREFIXES`].
pub fn is_unused_export(name: &[u8]) -> bool {
    UNUSED_EXPORT_PREFIXES
        .iter()
        .any(|prefix| name.starts_with(prefix.as_bytes()))
}

/// The module with the exports [`is_unused_export`] names left out, every other byte as it
/// was; `None` if it is not a module.
pub fn without_unused_exports(module: &[u8]) -> Option<Vec<u8>> {
    let (header, sections) = wasm::sections(module)?;
    let mut out = header.to_vec();
    for section in sections {
        if section.id != wasm::EXPORT {
            out.extend_from_slice(section.bytes);
            continue;
        }
        let body = section.body;
        let mut at = 0;
        let count = wasm::read_leb(body, &mut at)?;
        let mut kept = Vec::new();
        let mut kept_count = 0;
        for _ in 0..count {
            let start = at;
            let name = wasm::read_bytes(body, &mut at)?;
            wasm::read_byte(body, &mut at)?; // kind
            wasm::read_leb(body, &mut at)?; // index
            if !is_unused_export(name) {
                kept.extend_from_slice(&body[start..at]);
                kept_count += 1;
            }
        }
        let mut contents = Vec::new();
        wasm::write_leb(&mut contents, kept_count);
        contents.extend(kept);
        out.push(wasm::EXPORT);
        wasm::write_leb(&mut out, contents.len());
        out.extend(contents);
    }
    Some(out)
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
    let trimmed = without_unused_exports(&module)
        .ok_or_else(|| format!("{} is not a WebAssembly module", path.display()))?;
    let input = path.with_extension("trimmed.wasm");
    std::fs::write(&input, trimmed).map_err(|e| format!("{}: {e}", input.display()))?;
    let output = path.with_extension("opt.wasm");
    process::run(
        Command::new(wasm_opt)
            .arg(&input)
            .args(FEATURES)
            .args(PASSES)
            .args(extra)
            .arg("-o")
            .arg(&output),
    )?;
    std::fs::remove_file(&input).map_err(|e| format!("{}: {e}", input.display()))?;
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
    fn only_the_stream_classes_exports_are_dropped() {
        let types = section(1, &[1, 0x60, 0, 0]);
        let mut module = HEADER.to_vec();
        module.extend(&types);
        module.extend(exports(&[
            ("memory", 2, 0),
            ("intounderlyingsource_pull", 0, 300),
            ("define", 0, 7),
            ("__wbg_intounderlyingsink_free", 0, 2),
        ]));
        module.extend(section(10, &[0]));
        let mut expected = HEADER.to_vec();
        expected.extend(&types);
        expected.extend(exports(&[("memory", 2, 0), ("define", 0, 7)]));
        expected.extend(section(10, &[0]));
        assert_eq!(without_unused_exports(&module), Some(expected));
        assert_eq!(without_unused_exports(b"not wasm"), None);
    }

    #[test]
    fn a_module_without_them_is_unchanged() {
        let mut module = HEADER.to_vec();
        module.extend(exports(&[("define", 0, 1), ("__wbindgen_start", 0, 2)]));
        assert_eq!(without_unused_exports(&module), Some(module.clone()));
    }
}
