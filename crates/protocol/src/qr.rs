//! A QR code as data: which modules are dark. The server encodes wallet URIs (with the `qrcode`
//! crate) and sends the matrix; the widget only draws it, so no QR encoder (its code and its
//! Reed-Solomon and version tables, about 14 KB gzip of wasm) is downloaded by payers.

use serde::{Deserialize, Serialize};

/// `size` x `size` modules, without the quiet zone. `modules` is hexadecimal: the modules row
/// by row, top-left first, eight to a byte with the first in the most significant bit, dark = 1,
/// the last byte padded with zero bits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QrMatrix {
    pub size: u16,
    pub modules: String,
}

/// The largest QR code (version 40) has 177 modules per side.
pub const MAX_SIZE: u16 = 177;

impl QrMatrix {
    /// Packs `dark` (row by row, `size * size` values). `None` when the count does not match
    /// or `size` is larger than any QR code.
    pub fn from_dark(size: u16, dark: &[bool]) -> Option<QrMatrix> {
        let side = usize::from(size);
        if size > MAX_SIZE || dark.len() != side * side {
            return None;
        }
        let mut modules = String::with_capacity(dark.len().div_ceil(4));
        for byte in dark.chunks(8) {
            let bits = byte
                .iter()
                .enumerate()
                .fold(0u8, |acc, (i, &d)| acc | (u8::from(d) << (7 - i)));
            modules.push(hex_digit(bits >> 4));
            modules.push(hex_digit(bits & 0xf));
        }
        Some(QrMatrix { size, modules })
    }

    /// The modules, row by row; `None` when the matrix is malformed (a size larger than any QR
    /// code, a length that does not match it, or a character that is not a hex digit).
    pub fn dark(&self) -> Option<Vec<bool>> {
        let side = usize::from(self.size);
        let count = side * side;
        if self.size > MAX_SIZE || self.modules.len() != count.div_ceil(8) * 2 {
            return None;
        }
        let mut dark = Vec::with_capacity(count);
        for pair in self.modules.as_bytes().chunks(2) {
            let byte = (hex_value(pair[0])? << 4) | hex_value(pair[1])?;
            dark.extend((0..8).map(|i| byte & (0x80 >> i) != 0));
        }
        dark.truncate(count);
        Some(dark)
    }
}

fn hex_digit(nibble: u8) -> char {
    char::from(b"0123456789abcdef"[usize::from(nibble & 0xf)])
}

fn hex_value(digit: u8) -> Option<u8> {
    match digit {
        b'0'..=b'9' => Some(digit - b'0'),
        b'a'..=b'f' => Some(digit - b'a' + 10),
        b'A'..=b'F' => Some(digit - b'A' + 10),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_known_pattern_packs_most_significant_bit_first() {
        // 3 x 3: a diagonal. Bits 100 010 001 -> 1000 1000 1(000 0000) -> "8880".
        let dark = [true, false, false, false, true, false, false, false, true];
        let m = QrMatrix::from_dark(3, &dark).unwrap();
        assert_eq!(m.modules, "8880");
        assert_eq!(m.dark().unwrap(), dark);
    }

    #[test]
    fn malformed_matrices_are_refused() {
        assert_eq!(QrMatrix::from_dark(2, &[true; 3]), None);
        assert_eq!(QrMatrix::from_dark(MAX_SIZE + 1, &[]), None);
        let m = |size, modules: &str| QrMatrix {
            size,
            modules: modules.into(),
        };
        assert_eq!(m(3, "888").dark(), None, "too short");
        assert_eq!(m(3, "888000").dark(), None, "too long");
        assert_eq!(m(3, "88g0").dark(), None, "not hex");
        assert_eq!(m(3, "88é").dark(), None, "not ASCII");
        assert_eq!(m(MAX_SIZE + 1, "").dark(), None);
        assert_eq!(m(0, "").dark(), Some(vec![]));
    }

    proptest! {
        #[test]
        fn packing_round_trips(size in 0u16..40, seed in any::<u64>()) {
            let count = usize::from(size) * usize::from(size);
            let dark: Vec<bool> = (0..count)
                .map(|i| (seed.rotate_left(i as u32 % 64) ^ i as u64) & 1 == 1)
                .collect();
            let m = QrMatrix::from_dark(size, &dark).unwrap();
            prop_assert_eq!(m.dark().unwrap(), dark);
        }
    }
}
