//! Deterministic sandbox addresses: distinct per payment, valid in format for their network, and
//! the same for the same seed and payment id (so a restarted sandbox shows the same address).
//! They are not backed by keys anybody holds: never send real funds to them.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::domain::currency::AddressFormat;

/// 20 bytes (the size of a key hash on all supported networks) derived from the seed.
fn key_hash(seed: &str, network: &str, payment_id: &str) -> [u8; 20] {
    let mut mac = Hmac::<Sha256>::new_from_slice(seed.as_bytes()).expect("HMAC takes any key");
    mac.update(network.as_bytes());
    mac.update(b"/");
    mac.update(payment_id.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut out = [0u8; 20];
    out.copy_from_slice(&digest[..20]);
    out
}

pub fn derive_address(
    seed: &str,
    network: &str,
    payment_id: &str,
    format: AddressFormat,
) -> String {
    let hash = key_hash(seed, network, payment_id);
    match format {
        AddressFormat::Bech32P2wpkh { hrp } => {
            let hrp = bech32::Hrp::parse(hrp).expect("catalogue HRPs are valid");
            bech32::segwit::encode(hrp, bech32::segwit::VERSION_0, &hash)
                .expect("a 20-byte v0 program always encodes")
        }
        AddressFormat::Eip55 => eip55(&hash),
        AddressFormat::TronBase58 => {
            let mut payload = Vec::with_capacity(21);
            payload.push(0x41);
            payload.extend_from_slice(&hash);
            bs58::encode(payload).with_check().into_string()
        }
        // Never offered by the sandbox (`Provider::offers`): there is no address to derive.
        AddressFormat::ProviderPage => String::new(),
    }
}

pub use crate::domain::address_check::eip55;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitcoin_and_litecoin_addresses_decode_as_v0_key_hashes() {
        for (hrp, network) in [("bc", "BITCOIN"), ("ltc", "LITECOIN")] {
            let a = derive_address(
                "seed",
                network,
                "PAY-1",
                AddressFormat::Bech32P2wpkh { hrp },
            );
            let (decoded_hrp, version, program) = bech32::segwit::decode(&a).unwrap();
            assert_eq!(decoded_hrp.as_str(), hrp);
            assert_eq!(version, bech32::segwit::VERSION_0);
            assert_eq!(program.len(), 20);
            assert!(a.starts_with(&format!("{hrp}1q")));
        }
    }

    #[test]
    fn tron_addresses_are_base58check_with_the_0x41_prefix() {
        let a = derive_address("seed", "TRON", "PAY-1", AddressFormat::TronBase58);
        assert!(a.starts_with('T'));
        assert_eq!(a.len(), 34);
        let bytes = bs58::decode(&a).with_check(None).into_vec().unwrap();
        assert_eq!(bytes.len(), 21);
        assert_eq!(bytes[0], 0x41);
    }

    #[test]
    fn ethereum_addresses_are_checksummed_and_everything_is_deterministic_and_distinct() {
        let a = derive_address("seed", "ETHEREUM", "PAY-1", AddressFormat::Eip55);
        assert_eq!(a.len(), 42);
        let mut bytes = [0u8; 20];
        hex::decode_to_slice(a[2..].to_ascii_lowercase(), &mut bytes).unwrap();
        assert_eq!(eip55(&bytes), a);
        assert_eq!(
            a,
            derive_address("seed", "ETHEREUM", "PAY-1", AddressFormat::Eip55)
        );
        assert_ne!(
            a,
            derive_address("seed", "ETHEREUM", "PAY-2", AddressFormat::Eip55)
        );
        assert_ne!(
            a,
            derive_address("other", "ETHEREUM", "PAY-1", AddressFormat::Eip55)
        );
    }

    #[test]
    fn every_derived_address_passes_the_providers_address_check() {
        let catalogue = crate::domain::currency::Catalogue::new(&Default::default());
        for coin in catalogue.all() {
            for format in [coin.address, coin.on_test_network().address] {
                let a = derive_address("seed", coin.network, "PAY-1", format);
                assert_eq!(format.check(&a), Ok(()), "{a}");
            }
        }
    }
}
