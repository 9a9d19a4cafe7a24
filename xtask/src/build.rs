//! `cargo xtask build`: the deployable widget in dist/, and what it costs a payer to download.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::process;
use crate::tools;

/// The files `widget.js` loads, in load order. CSS is compiled into the wasm (it is adopted
/// into each shadow root), so it is counted there.
pub fn bundle_files(dist: &Path) -> Result<Vec<PathBuf>, String> {
    let mut files: Vec<PathBuf> = ["widget.js", "checkout-widget.js", "checkout-widget_bg.wasm"]
        .iter()
        .map(|f| dist.join(f))
        .collect();
    // wasm-bindgen's inline JS snippets (the custom element class) are imported by the glue.
    let snippets = dist.join("snippets");
    if snippets.is_dir() {
        let mut stack = vec![snippets];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
                let path = entry.map_err(|e| e.to_string())?.path();
                if path.is_dir() {
                    stack.push(path);
                } else {
                    files.push(path);
                }
            }
        }
    }
    for f in &files {
        if !f.is_file() {
            return Err(format!("{} is missing from the build", f.display()));
        }
    }
    Ok(files)
}

/// The language files in `dist/locales/` (English is compiled in; a payer downloads at most
/// one of these, the one for their language).
pub fn locale_files(dist: &Path) -> Result<Vec<PathBuf>, String> {
    let dir = dist.join("locales");
    let mut files = Vec::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(&dir).map_err(|e| e.to_string())? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}

/// Raw and gzip -9 bytes of one file.
fn file_size(file: &Path) -> Result<(u64, u64), String> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(&bytes).map_err(|e| e.to_string())?;
    let gzip = encoder.finish().map_err(|e| e.to_string())?.len() as u64;
    Ok((bytes.len() as u64, gzip))
}

/// What a payer downloads at most: raw and gzip -9 bytes of everything the loader pulls in plus
/// the largest language file (by gzip size), and that file's name.
pub fn bundle_size(dist: &Path) -> Result<(u64, u64, Option<String>), String> {
    let mut raw = 0;
    let mut gzip = 0;
    for file in bundle_files(dist)? {
        let (r, g) = file_size(&file)?;
        raw += r;
        gzip += g;
    }
    let mut largest: Option<(u64, u64, String)> = None;
    for file in locale_files(dist)? {
        let (r, g) = file_size(&file)?;
        if largest.as_ref().is_none_or(|(_, lg, _)| g > *lg) {
            let name = file
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into();
            largest = Some((r, g, name));
        }
    }
    let counted = largest.map(|(r, g, name)| {
        raw += r;
        gzip += g;
        name
    });
    Ok((raw, gzip, counted))
}

pub const SIZE_BUDGET_GZIP: u64 = 100_000;

/// Builds dist/ in release mode and prints its size against the budget.
pub fn build_widget() -> Result<PathBuf, String> {
    tools::ensure_build_tools()?;
    let root = crate::root();
    process::run(
        Command::new("trunk")
            .args(["build", "--release"])
            // Never let Trunk reach for the network: every tool is already on PATH at its pin.
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
    )?;
    let dist = root.join("dist");
    let (raw, gzip, locale) = bundle_size(&dist)?;
    let locale = locale
        .map(|name| format!(" + the largest language file, locales/{name}"))
        .unwrap_or_default();
    println!(
        "widget bundle (everything dist/widget.js loads{locale}): {raw} bytes raw, {gzip} bytes \
         gzip -9 (budget {SIZE_BUDGET_GZIP}, {})",
        if gzip <= SIZE_BUDGET_GZIP {
            "within"
        } else {
            "OVER"
        }
    );
    Ok(dist)
}

pub fn run(_args: &[String]) -> Result<(), String> {
    build_widget().map(|_| ())
}
