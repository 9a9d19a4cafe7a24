//! Compressed copies of the files a payer downloads, written beside them (`<file>.br`,
//! `<file>.gz`), so the server sends the smaller one to every browser that accepts it instead of
//! compressing on each request (or not at all). Brotli at its highest quality, gzip at level 9:
//! both are paid once, at build time.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The suffixes of the compressed copies; a file with one of them is never compressed again.
pub const SUFFIXES: [&str; 2] = [".br", ".gz"];

/// Which files are worth compressing: text and wasm (images in dist/ are already compressed).
fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("js" | "wasm" | "json" | "css" | "html" | "ts" | "svg")
    )
}

/// Whether `path` is one of the compressed copies.
pub fn is_compressed_copy(path: &Path) -> bool {
    let name = path.to_string_lossy();
    SUFFIXES.iter().any(|suffix| name.ends_with(suffix))
}

pub fn gzip(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).map_err(|e| e.to_string())?;
    encoder.finish().map_err(|e| e.to_string())
}

pub fn brotli(bytes: &[u8]) -> Result<Vec<u8>, String> {
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    let mut out = Vec::new();
    brotli::BrotliCompress(&mut &bytes[..], &mut out, &params).map_err(|e| e.to_string())?;
    Ok(out)
}

/// Every compressible file under `dir`, depth first; compressed copies left out.
fn files(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.is_dir() {
                stack.push(path);
            } else if compressible(&path) && !is_compressed_copy(&path) {
                found.push(path);
            }
        }
    }
    found.sort();
    Ok(found)
}

/// Writes `<file>.br` and `<file>.gz` for every compressible file under `dist`, replacing older
/// copies; returns how many files were compressed.
pub fn precompress(dist: &Path) -> Result<usize, String> {
    let files = files(dist)?;
    for file in &files {
        let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
        for (suffix, compressed) in [(".br", brotli(&bytes)?), (".gz", gzip(&bytes)?)] {
            let mut target = file.clone().into_os_string();
            target.push(suffix);
            std::fs::write(&target, compressed)
                .map_err(|e| format!("{}: {e}", Path::new(&target).display()))?;
        }
    }
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn each_file_gets_copies_that_decompress_to_it() {
        let dir = std::env::temp_dir().join(format!("xtask-precompress-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("snippets")).unwrap();
        let glue = "export function define(base) { return base; }\n".repeat(50);
        std::fs::write(dir.join("glue.js"), &glue).unwrap();
        std::fs::write(dir.join("snippets/inline0.js"), "export const a = 1;").unwrap();
        std::fs::write(dir.join("logo.png"), [0x89, b'P', b'N', b'G']).unwrap();

        assert_eq!(precompress(&dir).unwrap(), 2);
        // Again: the copies are replaced, never compressed themselves.
        assert_eq!(precompress(&dir).unwrap(), 2);

        let mut plain = String::new();
        flate2::read::GzDecoder::new(&std::fs::read(dir.join("glue.js.gz")).unwrap()[..])
            .read_to_string(&mut plain)
            .unwrap();
        assert_eq!(plain, glue);
        let mut plain = Vec::new();
        brotli::BrotliDecompress(
            &mut &std::fs::read(dir.join("glue.js.br")).unwrap()[..],
            &mut plain,
        )
        .unwrap();
        assert_eq!(plain, glue.as_bytes());
        assert!(std::fs::metadata(dir.join("glue.js.br")).unwrap().len() < glue.len() as u64);
        assert!(dir.join("snippets/inline0.js.gz").is_file());
        assert!(!dir.join("logo.png.gz").exists());
        assert!(!dir.join("glue.js.gz.gz").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
