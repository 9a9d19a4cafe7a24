//! How the shipped widget is compiled: the pinned nightly, the rebuilt standard library and the
//! size flags. Its own module because three commands need it (the build, the per-crate size
//! breakdown, and the tool set-up that installs the toolchain) and none of them should depend on
//! another for it.

use std::path::PathBuf;
use std::process::Command;

/// The toolchain the shipped widget is compiled with. A nightly, because rebuilding the standard
/// library for our settings (below) is unstable; pinned, so every build gives the same bytes.
/// Measured on the widget: 138.7 KB -> 123.9 KB of wasm gzip -9 against stable 1.95 with the
/// same `[profile.release]`. `tools::ensure_widget_toolchain` installs it with `rust-src`; the
/// wasm32 target's prebuilt standard library is not needed, it is built from source.
pub const WIDGET_TOOLCHAIN: &str = "nightly-2026-05-19";

/// `-Zbuild-std`: the standard library is compiled with our `opt-level = "z"`, LTO and the flags
/// below instead of arriving precompiled for speed, with panics and formatting machinery in it.
const WIDGET_BUILD_STD: &str = "std,panic_abort";

/// The standard library's own size switch: smaller algorithms (sorting, formatting) where it
/// has a choice. Measured: about 0.5 KB gzip of wasm.
///
/// Naming any feature here also replaces the standard library's default features, which is
/// the documented fix for the size regression of `-Cpanic=immediate-abort` (rust-lang/rust
/// issue 147257: with the defaults, `backtrace` and `panic-unwind` come back; the fix is
/// `-Zbuild-std-features=` with nothing or with chosen features). Checked on this nightly: the
/// std it builds has the feature list `["optimize_for_size"]` and no `panic_unwind`,
/// `addr2line` or `gimli` among its dependencies, so the regression does not reach the widget.
const WIDGET_BUILD_STD_FEATURES: &str = "optimize_for_size";

/// What the shipped module gives up to be smaller:
/// - `-Cpanic=immediate-abort`: a panic is a bare `unreachable` trap, with no message, hook or
///   unwinding code. The widget's Rust code must not panic anyway; when it does, the browser
///   console shows "RuntimeError: unreachable" instead of the message. The browser tests
///   (`cargo test --target wasm32-unknown-unknown`) stay on stable with full panic messages.
/// - `-Zfmt-debug=none`: `{:?}` prints nothing (the widget never shows a Debug string).
/// - `-Zlocation-detail=none`: no file/line strings for `#[track_caller]` locations.
/// - `-Zmir-opt-level=3`: more MIR optimisations than the default of optimised builds (2),
///   applied to the standard library and every dependency before LLVM sees them. Measured on
///   the wasm after wasm-bindgen (brotli / gzip -9) against level 2: level 3 -3 344 / -3 556
///   (-2 736 / -3 245 with wasm-opt on top), level 4 -3 049 / -3 191 (-2 359 / -2 812),
///   level 1 +889 / +1 122; level 0 not measured.
/// - `--cfg erase_components`, Leptos's own switch: every component returns an `AnyView`, an
///   element's children are a list of `AnyView`s and its attributes a list of `AnyAttribute`s,
///   so a view is no longer one monomorphised copy per nested tuple type. Measured on the whole
///   bundle (brotli / gzip -9, 2026-11-30, same code): 116 913 / 142 114 without it, 111 506 /
///   136 774 with it (-5 407 / -5 340). What it changes for the views: a re-render in place
///   removes every attribute a view gave an element and adds them again, so an element that
///   has focus must not owe its focusability to one (a focused heading losing its `tabindex`
///   for that moment loses focus to the page's `<body>`): headings get their `tabindex` from
///   the app's `focus_heading`, the header's description from a directive; the browser test
///   `focus_survives_a_live_update_of_the_view` shows it when run with
///   `RUSTFLAGS="--cfg erase_components"`, the keyboard journey on the shipped build.
///
/// Measured and left out (2026-11-30, wasm after wasm-bindgen, brotli / gzip -9, against
/// 113 913 / 139 272 with the flags above but `erase_components`):
/// - `-Zshare-generics=n` (opt-level z turns sharing on): 52 KB less raw, but +885 / +1 247
///   compressed (+1 042 / +1 512 after wasm-opt): the per-crate copies of generic code are
///   smaller alone and compress worse together.
/// - `-Cllvm-args=-inline-threshold=0` (with `--cfg erase_components` and the wasm-opt step,
///   against 111 196 / 136 278 bytes of the whole bundle): +965 / +1 259.
/// - Talc (`talc` 5.1.1, `WasmDynamicTalc`) as the global allocator in place of the standard
///   library's dlmalloc (5.8 KB of code): +471 / +572, and +359 / +405 with its
///   `disable-realloc-in-place` feature.
const WIDGET_RUSTFLAGS: &str =
    "-Zunstable-options -Cpanic=immediate-abort -Zfmt-debug=none -Zlocation-detail=none \
     -Zmir-opt-level=3 --cfg erase_components";

/// The shipped build's own target directory: its artifacts (another toolchain, another standard
/// library) would otherwise replace the stable ones the browser tests build in target/, and each
/// would rebuild everything after the other.
pub fn widget_target_dir() -> PathBuf {
    crate::root().join("target").join("widget-release")
}

/// Makes `cmd` (Trunk, or cargo for the size breakdown) compile the widget the shipped way:
/// [`WIDGET_TOOLCHAIN`], [`WIDGET_BUILD_STD`] (with [`WIDGET_BUILD_STD_FEATURES`]),
/// [`WIDGET_RUSTFLAGS`], [`widget_target_dir`].
/// RUSTFLAGS reach only the wasm32 code: Trunk passes `--target`, so build scripts and proc
/// macros are compiled for the host without them.
///
/// wasm-bindgen warns "the `target_features` custom section is missing": `strip = true` drops
/// that section with the names (with stable as with the nightly). It only tells wasm-bindgen
/// which optional wasm features the compiler used, so that it can lean on them; without it,
/// wasm-bindgen writes the glue it writes by default, which is what the end-to-end journeys
/// run. Harmless, and not silenced.
///
/// The linker is this xtask's own executable, which calls the toolchain's `rust-lld` without
/// the exports the widget never uses ([`crate::widget_linker`]).
pub fn shipped_widget_env(cmd: &mut Command) -> Result<&mut Command, String> {
    let xtask = std::env::current_exe().map_err(|e| format!("this executable's path: {e}"))?;
    Ok(cmd
        .env("RUSTUP_TOOLCHAIN", WIDGET_TOOLCHAIN)
        .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_LINKER", xtask)
        .env(crate::widget_linker::REAL_LINKER_ENV, rust_lld()?)
        .env("CARGO_UNSTABLE_BUILD_STD", WIDGET_BUILD_STD)
        .env(
            "CARGO_UNSTABLE_BUILD_STD_FEATURES",
            WIDGET_BUILD_STD_FEATURES,
        )
        .env("RUSTFLAGS", WIDGET_RUSTFLAGS)
        .env("CARGO_TARGET_DIR", widget_target_dir())
        // `cargo xtask` runs under stable cargo, which names itself (and may name its rustc) in
        // these; the build must go through rustup's proxies to get the pinned nightly.
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("CARGO_ENCODED_RUSTFLAGS"))
}

/// The pinned nightly's own `rust-lld` (what rustc links wasm with by default): in its
/// sysroot, under the host's target directory.
fn rust_lld() -> Result<PathBuf, String> {
    let ask = |what: &str| -> Result<String, String> {
        let out = Command::new("rustc")
            .env("RUSTUP_TOOLCHAIN", WIDGET_TOOLCHAIN)
            .env_remove("RUSTC")
            .args(["--print", what])
            .output()
            .map_err(|e| format!("rustc --print {what}: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "rustc --print {what} ({WIDGET_TOOLCHAIN}): {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    };
    let lld = PathBuf::from(ask("sysroot")?)
        .join("lib")
        .join("rustlib")
        .join(ask("host-tuple")?)
        .join("bin")
        .join("rust-lld");
    if lld.is_file() {
        Ok(lld)
    } else {
        Err(format!("{} is missing", lld.display()))
    }
}
