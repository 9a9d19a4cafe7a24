//! Whether an address a provider gave us can receive the coin on its network: checked before a
//! payer is shown it, so a provider's mistake (an Ethereum address for a TRON invoice, a Bitcoin
//! address for Litecoin) becomes a refused payment instead of funds sent where nobody watches.
//!
//! Format only: a well-formed address of the right network. Whose key it is cannot be checked.

use sha3::{Digest, Keccak256};

use super::currency::AddressFormat;

/// Why an address was refused (for the merchant's log; never shown to a payer as-is).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{address:?} is not {expected}: {why}")]
pub struct WrongAddress {
    pub address: String,
    pub expected: &'static str,
    pub why: &'static str,
}

impl AddressFormat {
    /// `Ok` when `address` is well formed for this format's network.
    pub fn check(self, address: &str) -> Result<(), WrongAddress> {
        let why = match self {
            AddressFormat::Bech32P2wpkh { hrp } => utxo_address(hrp, address),
            AddressFormat::Eip55 => evm_address(address),
            AddressFormat::TronBase58 => tron_address(address),
            // Paid on the provider's page: there is no address to show, so none may come.
            AddressFormat::ProviderPage if address.is_empty() => Ok(()),
            AddressFormat::ProviderPage => Err("a coin paid on the provider's page has no address"),
        };
        why.map_err(|why| WrongAddress {
            address: address.to_owned(),
            expected: self.describe(),
            why,
        })
    }

    fn describe(self) -> &'static str {
        match self {
            AddressFormat::Bech32P2wpkh { hrp: "bc" } => "a Bitcoin address",
            AddressFormat::Bech32P2wpkh { hrp: "tb" } => "a Bitcoin test network address",
            AddressFormat::Bech32P2wpkh { hrp: "ltc" } => "a Litecoin address",
            AddressFormat::Bech32P2wpkh { hrp: "tltc" } => "a Litecoin test network address",
            AddressFormat::Bech32P2wpkh { .. } => "an address of this network",
            AddressFormat::Eip55 => "an Ethereum address",
            AddressFormat::TronBase58 => "a TRON address",
            AddressFormat::ProviderPage => "no address (paid on the provider's page)",
        }
    }
}

/// The base58check version bytes (key hash, script hash) of the network whose segwit
/// addresses start with `hrp`. Litecoin keeps accepting Bitcoin's script-hash byte (`3…`)
/// beside its own (`M…`), and its test network both `2…` and `Q…`.
fn base58_versions(hrp: &str) -> &'static [u8] {
    match hrp {
        "bc" => &[0x00, 0x05],
        "tb" => &[0x6f, 0xc4],
        "ltc" => &[0x30, 0x32, 0x05],
        "tltc" => &[0x6f, 0xc4, 0x3a],
        _ => &[],
    }
}

/// Bitcoin-like networks: any segwit version (bech32 for v0, bech32m after, checked by the
/// decoder with the program's length) under the network's prefix, or a base58check key or
/// script hash with the network's version byte.
fn utxo_address(hrp: &str, address: &str) -> Result<(), &'static str> {
    if let Ok((found, _, _)) = bech32::segwit::decode(address) {
        return if found.as_str().eq_ignore_ascii_case(hrp) {
            Ok(())
        } else {
            Err("a segwit address of another network")
        };
    }
    let payload = base58check(address)?;
    match payload.split_first() {
        Some((version, hash)) if hash.len() == 20 && base58_versions(hrp).contains(version) => {
            Ok(())
        }
        Some((_, hash)) if hash.len() == 20 => Err("a base58 address of another network"),
        _ => Err("not a 20-byte hash"),
    }
}

/// `0x` and 40 hex digits; mixed case must be the EIP-55 checksum (all-lower or all-upper
/// carries none).
fn evm_address(address: &str) -> Result<(), &'static str> {
    let digits = address.strip_prefix("0x").ok_or("no 0x prefix")?;
    let mut bytes = [0u8; 20];
    hex::decode_to_slice(digits, &mut bytes).map_err(|_| "not 40 hex digits")?;
    let has_lower = digits.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = digits.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper && eip55(&bytes) != address {
        return Err("the mixed-case checksum (EIP-55) does not match");
    }
    Ok(())
}

/// Base58check of 0x41 and a 20-byte hash (`T…`).
fn tron_address(address: &str) -> Result<(), &'static str> {
    match base58check(address)?.split_first() {
        Some((0x41, hash)) if hash.len() == 20 => Ok(()),
        _ => Err("not 0x41 and a 20-byte hash"),
    }
}

fn base58check(address: &str) -> Result<Vec<u8>, &'static str> {
    bs58::decode(address)
        .with_check(None)
        .into_vec()
        .map_err(|_| "neither a valid segwit nor a valid base58check address")
}

/// `0x` + hex where each letter is upper-case when the matching nibble of the Keccak-256 of the
/// lower-case hex is 8 or more (EIP-55).
pub fn eip55(bytes: &[u8; 20]) -> String {
    let lower = hex::encode(bytes);
    let hash = Keccak256::digest(lower.as_bytes());
    let mut out = String::with_capacity(42);
    out.push_str("0x");
    for (i, c) in lower.chars().enumerate() {
        let nibble = (hash[i / 2] >> (if i % 2 == 0 { 4 } else { 0 })) & 0x0f;
        out.push(if c.is_ascii_alphabetic() && nibble >= 8 {
            c.to_ascii_uppercase()
        } else {
            c
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const BTC: AddressFormat = AddressFormat::Bech32P2wpkh { hrp: "bc" };
    const TBTC: AddressFormat = AddressFormat::Bech32P2wpkh { hrp: "tb" };
    const LTC: AddressFormat = AddressFormat::Bech32P2wpkh { hrp: "ltc" };
    const TLTC: AddressFormat = AddressFormat::Bech32P2wpkh { hrp: "tltc" };

    /// A base58check address of `version` and a 20-byte hash.
    fn base58(version: u8) -> String {
        let mut payload = vec![version];
        payload.extend_from_slice(&[0x5a; 20]);
        bs58::encode(payload).with_check().into_string()
    }

    fn segwit(hrp: &str, version: u8, program: &[u8]) -> String {
        let hrp = bech32::Hrp::parse(hrp).unwrap();
        let version = bech32::Fe32::try_from(version).unwrap();
        bech32::segwit::encode(hrp, version, program).unwrap()
    }

    #[test]
    fn a_coin_paid_on_the_providers_page_takes_no_address() {
        assert_eq!(AddressFormat::ProviderPage.check(""), Ok(()));
        assert!(AddressFormat::ProviderPage
            .check("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
            .is_err());
    }

    #[test]
    fn bitcoin_takes_every_address_type_of_its_own_network() {
        for ok in [
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
            "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0",
        ] {
            assert_eq!(BTC.check(ok), Ok(()), "{ok}");
        }
        assert_eq!(BTC.check(&segwit("bc", 0, &[7; 32])), Ok(()));
        for wrong in [
            "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx",
            // v0 with a bech32m checksum, and v1 with a bech32 one (BIP 350).
            "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",
            "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",
            // A mixed-case bech32 string, and one character changed.
            "bc1qAr0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
            "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdp",
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3",
            "",
        ] {
            assert!(BTC.check(wrong).is_err(), "{wrong}");
        }
        assert!(BTC.check(&base58(0x30)).is_err(), "a Litecoin L… address");
        assert!(BTC.check(&base58(0x6f)).is_err(), "a test network address");
        assert!(BTC.check(&segwit("ltc", 0, &[7; 20])).is_err());
    }

    #[test]
    fn litecoin_and_the_test_networks_take_their_own_prefixes_and_versions() {
        for version in [0x30, 0x32, 0x05] {
            assert_eq!(LTC.check(&base58(version)), Ok(()), "{version:#x}");
        }
        assert_eq!(LTC.check(&segwit("ltc", 0, &[1; 20])), Ok(()));
        assert_eq!(LTC.check(&segwit("ltc", 1, &[1; 32])), Ok(()));
        assert!(LTC.check(&base58(0x00)).is_err(), "a Bitcoin 1… address");
        assert!(LTC
            .check("bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq")
            .is_err());
        for version in [0x6f, 0xc4] {
            assert_eq!(TBTC.check(&base58(version)), Ok(()));
            assert_eq!(TLTC.check(&base58(version)), Ok(()));
        }
        assert_eq!(TLTC.check(&base58(0x3a)), Ok(()));
        assert!(TBTC.check(&base58(0x3a)).is_err());
        assert_eq!(
            TBTC.check("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"),
            Ok(())
        );
        assert_eq!(TLTC.check(&segwit("tltc", 0, &[1; 20])), Ok(()));
    }

    #[test]
    fn ethereum_addresses_need_the_checksum_when_mixed_case() {
        for ok in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
            "0x5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
        ] {
            assert_eq!(AddressFormat::Eip55.check(ok), Ok(()), "{ok}");
        }
        for wrong in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA",
            "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0X5AAEB6053F3E94C9B9A09F33669435E7EF1BEAED",
            "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaeg",
            "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t",
        ] {
            assert!(AddressFormat::Eip55.check(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn tron_addresses_are_base58check_of_0x41() {
        let tron = AddressFormat::TronBase58;
        assert_eq!(tron.check("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"), Ok(()));
        assert_eq!(tron.check(&base58(0x41)), Ok(()));
        let refused = tron
            .check("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")
            .unwrap_err();
        assert_eq!(refused.expected, "a TRON address");
        assert!(tron.check("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u").is_err());
        assert!(tron.check(&base58(0x00)).is_err());
        assert!(tron.check("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2").is_err());
    }

    #[test]
    fn eip55_matches_the_specification_examples() {
        for expected in [
            "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
            "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
            "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        ] {
            let mut bytes = [0u8; 20];
            hex::decode_to_slice(expected[2..].to_ascii_lowercase(), &mut bytes).unwrap();
            assert_eq!(eip55(&bytes), expected);
        }
    }
}
