//! Deposit addresses from the merchant's extended public key: address `i` is the key's
//! non-hardened child `i` (BIP32 public derivation), written with the EIP-55 checksum. Only a
//! public key is ever held, so nothing on the server can move the funds.

use std::str::FromStr;

use anyhow::{bail, Context};
use bip32::{ChildNumber, ExtendedKey, XPub};
use k256::ecdsa::VerifyingKey;
use sha3::{Digest, Keccak256};

use crate::domain::address_check::eip55;

/// The merchant's extended public key, parsed once.
#[derive(Clone)]
pub struct DepositKeys {
    xpub: XPub,
}

impl DepositKeys {
    /// Parses `xpub…`/`tpub…`; an extended private key is refused with the reason.
    pub fn parse(text: &str) -> anyhow::Result<DepositKeys> {
        let key = ExtendedKey::from_str(text.trim())
            .map_err(|_| anyhow::anyhow!("not a valid extended key (base58check)"))?;
        if key.prefix.is_private() {
            bail!("an extended PRIVATE key can spend the funds; give the extended public key");
        }
        let xpub = XPub::try_from(key).context("not a valid extended public key")?;
        Ok(DepositKeys { xpub })
    }

    /// The address of child `index` (below 2^31: non-hardened).
    pub fn address(&self, index: u32) -> anyhow::Result<String> {
        let child = ChildNumber::new(index, false).context("index beyond 2^31")?;
        let key = self
            .xpub
            .derive_child(child)
            .context("deriving the child key")?;
        Ok(address_of(key.public_key()))
    }
}

/// The Ethereum address of a public key: the last 20 bytes of the keccak-256 of its
/// uncompressed point (without the 0x04 tag), in EIP-55 form.
pub fn address_of(key: &VerifyingKey) -> String {
    let point = key.to_encoded_point(false);
    let hash = Keccak256::digest(&point.as_bytes()[1..]);
    let mut bytes = [0u8; 20];
    bytes.copy_from_slice(&hash[12..]);
    eip55(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    // BIP32 test vector 1: the extended public keys of m/0H and of its child m/0H/1.
    const M_0H: &str = "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw";
    const M_0H_1: &str = "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ";

    #[test]
    fn public_derivation_follows_the_bip32_test_vector() {
        let parent = DepositKeys::parse(M_0H).unwrap();
        let child = parent
            .xpub
            .derive_child(ChildNumber::new(1, false).unwrap())
            .unwrap();
        assert_eq!(child.to_string(bip32::Prefix::XPUB), M_0H_1);
        let expected = DepositKeys::parse(M_0H_1).unwrap();
        assert_eq!(
            parent.address(1).unwrap(),
            address_of(expected.xpub.public_key())
        );
        assert_ne!(parent.address(0).unwrap(), parent.address(1).unwrap());
        assert!(
            parent.address(1 << 31).is_err(),
            "hardened indexes need a private key"
        );
    }

    #[test]
    fn a_private_key_or_garbage_is_refused() {
        let xprv = "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi";
        let err = DepositKeys::parse(xprv).err().unwrap().to_string();
        assert!(err.contains("PRIVATE"), "{err}");
        assert!(DepositKeys::parse("xpub123").is_err());
    }

    #[test]
    fn the_address_of_a_known_key() {
        // The public key of the private key 1 (the curve's generator) has a well-known address.
        let mut one = [0u8; 32];
        one[31] = 1;
        let key = k256::ecdsa::SigningKey::from_slice(&one).unwrap();
        assert_eq!(
            address_of(key.verifying_key()),
            "0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf"
        );
    }
}
