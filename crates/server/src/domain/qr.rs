//! Wallet URIs as QR codes. Encoded here rather than in the widget: the encoder is about 14 KB
//! gzip of wasm that every payer would download, and the matrix is a few hundred bytes of JSON.

use protocol::QrMatrix;
use qrcode::{Color, EcLevel, QrCode};

/// `uri` as a QR code with medium error correction (it survives a phone camera at an angle);
/// `None` only when the URI is too long for any QR code.
pub fn qr_matrix(uri: &str) -> Option<QrMatrix> {
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
    }
}
