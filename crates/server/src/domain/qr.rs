//! Wallet URIs as QR codes. Encoded here rather than in the widget: the encoder is about 14 KB
//! gzip of wasm that every payer would download, and the matrix is a few hundred bytes of JSON.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use protocol::QrMatrix;
use qrcode::{Color, EcLevel, QrCode};

/// Encoding scores eight masks and takes about a millisecond here, while the same URI is asked
/// for on every view of its payment; so recent ones are kept. Emptied when full.
static RECENT: LazyLock<Mutex<HashMap<String, Option<QrMatrix>>>> = LazyLock::new(Default::default);
const RECENT_CAPACITY: usize = 4_096;

/// `uri` as a QR code with medium error correction (it survives a phone camera at an angle);
/// `None` only when the URI is too long for any QR code.
pub fn qr_matrix(uri: &str) -> Option<QrMatrix> {
    let recent = || RECENT.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(known) = recent().get(uri) {
        return known.clone();
    }
    let matrix = encode(uri);
    let mut recent = recent();
    if recent.len() >= RECENT_CAPACITY {
        recent.clear();
    }
    recent.insert(uri.to_owned(), matrix.clone());
    matrix
}

fn encode(uri: &str) -> Option<QrMatrix> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M).ok()?;
    let dark: Vec<bool> = code.to_colors().iter().map(|c| *c == Color::Dark).collect();
    QrMatrix::from_dark(u16::try_from(code.width()).ok()?, &dark)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_is_the_encoders_modules() {
        let uri = "bitcoin:bc1qexample?amount=0.001";
        let m = qr_matrix(uri).unwrap();
        let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M).unwrap();
        assert_eq!(usize::from(m.size), code.width());
        let expected: Vec<bool> = code.to_colors().iter().map(|c| *c == Color::Dark).collect();
        assert_eq!(m.dark().unwrap(), expected);
    }

    #[test]
    fn a_uri_too_long_for_any_qr_code_has_none() {
        assert_eq!(qr_matrix(&"x".repeat(4000)), None);
        assert_eq!(qr_matrix(&"x".repeat(4000)), None, "remembered as none");
    }

    #[test]
    fn a_remembered_matrix_is_the_same_as_a_fresh_one() {
        let uri = "litecoin:ltc1qexample?amount=1.5";
        let first = qr_matrix(uri);
        assert_eq!(qr_matrix(uri), first);
        assert_eq!(encode(uri), first);
    }
}
