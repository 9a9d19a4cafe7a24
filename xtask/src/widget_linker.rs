//! The shipped widget's linker: the toolchain's `rust-lld`, called with every argument rustc
//! gives it except the exports of `wasm-streams`' JavaScript classes.
//!
//! Leptos always links `server_fn` with its browser client, whose streaming bodies export
//! three classes (`IntoUnderlyingSource`, `IntoUnderlyingByteSource`, `IntoUnderlyingSink`:
//! their methods and their `__wbg_…_free`). The widget has no server functions, so nothing
//! ever calls them; but rustc exports every `#[no_mangle]` function of every crate of a
//! `cdylib`, and an export is a root the linker keeps with all it reaches. Taking the exports
//! out after linking (as this build once did) left most of that code in: the closures those
//! functions hand to JavaScript had become entries of the function table, which nothing after
//! the linker can remove (any `call_indirect` may reach any entry). Left out of the link, the
//! code and its table entries never enter the module. wasm-bindgen still writes the three
//! classes into the glue (its metadata names them); nothing constructs them.
//!
//! Measured (2026-11-30, the whole bundle `cargo xtask build` counts, brotli / gzip -9): with
//! the exports taken out after wasm-bindgen instead, 109 672 / 134 153; left out of the link,
//! 105 365 / 128 670 (-4 307 / -5 483). (Taking them out after wasm-bindgen had saved 1 204 /
//! 1 534 against keeping them.)
//!
//! rustc runs the linker named by `CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER` (set by
//! [`crate::widget_toolchain::shipped_widget_env`] to this xtask's own executable) with
//! `-flavor wasm` first; `main` hands such a call here, and the real linker's path arrives in
//! [`REAL_LINKER_ENV`].

use std::path::Path;
use std::process::{Command, ExitCode};

/// Where [`run`] finds the toolchain's `rust-lld`.
pub const REAL_LINKER_ENV: &str = "CHECKOUT_WIDGET_RUST_LLD";

/// The exports left out of the link, by name prefix: the classes' functions, and the
/// `__wbindgen_describe_…` function wasm-bindgen reads for each (it refuses a module that
/// describes an export it does not have, and ignores a class no describe function names).
pub const DROPPED_EXPORT_PREFIXES: [&str; 4] = [
    "intounderlying",
    "__wbg_intounderlying",
    "__wbindgen_describe_intounderlying",
    "__wbindgen_describe___wbg_intounderlying",
];

/// Whether an export of this name is one of [`DROPPED_EXPORT_PREFIXES`].
pub fn is_dropped_export(name: &str) -> bool {
    DROPPED_EXPORT_PREFIXES
        .iter()
        .any(|prefix| name.starts_with(prefix))
}

/// Whether rustc is calling this executable as its linker.
pub fn invoked_as_linker(args: &[String]) -> bool {
    args.first().is_some_and(|a| a == "-flavor")
}

/// The linker's arguments without the dropped exports (`--export NAME` and `--export=NAME`).
pub fn kept_arguments(args: &[String]) -> Vec<String> {
    let mut kept: Vec<String> = Vec::with_capacity(args.len());
    let mut at = 0;
    while at < args.len() {
        let arg = &args[at];
        if arg == "--export" && args.get(at + 1).is_some_and(|n| is_dropped_export(n)) {
            at += 2;
            continue;
        }
        if arg.strip_prefix("--export=").is_some_and(is_dropped_export) {
            at += 1;
            continue;
        }
        kept.push(arg.clone());
        at += 1;
    }
    kept
}

/// A response file's arguments (one per line, as rustc writes them when the command line is
/// too long) without the dropped exports. Lines are compared as they are: export names need no
/// escaping, and every other line is copied unchanged.
pub fn kept_response_file(text: &str) -> String {
    let lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut out = kept_arguments(&lines).join("\n");
    out.push('\n');
    out
}

/// Links with the real `rust-lld`, forwarding its exit status.
pub fn run(args: &[String]) -> ExitCode {
    match link(args) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("xtask (as the widget's linker): {message}");
            ExitCode::FAILURE
        }
    }
}

fn link(args: &[String]) -> Result<ExitCode, String> {
    let real = std::env::var_os(REAL_LINKER_ENV)
        .ok_or_else(|| format!("{REAL_LINKER_ENV} is not set: run through `cargo xtask build`"))?;
    let mut kept = kept_arguments(args);
    for arg in kept.iter_mut() {
        if let Some(file) = arg.strip_prefix('@').map(str::to_owned) {
            *arg = format!("@{}", rewritten_response_file(Path::new(&file))?);
        }
    }
    let status = Command::new(&real)
        .args(&kept)
        .status()
        .map_err(|e| format!("{}: {e}", Path::new(&real).display()))?;
    Ok(match status.code() {
        Some(0) => ExitCode::SUCCESS,
        Some(code) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        None => ExitCode::FAILURE,
    })
}

/// Writes the filtered copy of a response file beside it; returns its path.
fn rewritten_response_file(path: &Path) -> Result<String, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let out = path.with_extension("kept");
    std::fs::write(&out, kept_response_file(&text))
        .map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(out.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn only_the_stream_classes_exports_are_left_out() {
        let args = strings(&[
            "-flavor",
            "wasm",
            "--export",
            "intounderlyingsource_pull",
            "--export",
            "define",
            "--export=__wbg_intounderlyingsink_free",
            "--export=__wbindgen_start",
            "--export",
            "__wbg_intounderlyingbytesource_free_58a9338f50bce61c",
            "lib.o",
            "-o",
            "out.wasm",
        ]);
        assert_eq!(
            kept_arguments(&args),
            strings(&[
                "-flavor",
                "wasm",
                "--export",
                "define",
                "--export=__wbindgen_start",
                "lib.o",
                "-o",
                "out.wasm",
            ])
        );
    }

    #[test]
    fn an_export_named_last_without_a_name_is_kept_as_it_is() {
        let args = strings(&["--export"]);
        assert_eq!(kept_arguments(&args), args);
    }

    #[test]
    fn response_files_lose_the_same_lines_and_keep_the_others_verbatim() {
        let text =
            "-flavor\nwasm\n--export\nintounderlyingsink_write\n--export\ndefine\n\"a b\\\\c.o\"\n";
        assert_eq!(
            kept_response_file(text),
            "-flavor\nwasm\n--export\ndefine\n\"a b\\\\c.o\"\n"
        );
    }

    #[test]
    fn rustc_calling_its_linker_is_told_apart_from_a_command() {
        assert!(invoked_as_linker(&strings(&["-flavor", "wasm"])));
        assert!(!invoked_as_linker(&strings(&["build"])));
        assert!(!invoked_as_linker(&[]));
    }
}
