//! Wallet URIs for QR codes and "open in wallet" links. The widget renders exactly what the
//! server returns, so the scheme rules live here only.

use protocol::Amount;

use super::currency::{Coin, UriScheme};

/// The URI asking for `amount` (at the coin's scale) to `address`.
pub fn wallet_uri(coin: &Coin, address: &str, amount: Amount) -> String {
    // A provider that collects through its own payment page (Coins.ph) gives a link, not an
    // address: the QR code opens the page.
    if address.starts_with("https://") {
        return address.to_owned();
    }
    let units = amount
        .units_at(coin.decimals)
        .expect("payment amounts are stored at the coin's scale");
    match coin.uri {
        // BIP21 amounts are decimal coins; trailing zeros are noise for wallets.
        UriScheme::Bip21(scheme) => format!("{scheme}:{address}?amount={}", amount.normalized()),
        UriScheme::Eip681Native { chain_id } => {
            format!("ethereum:{address}@{chain_id}?value={units}")
        }
        UriScheme::Eip681Token { chain_id, contract } => {
            format!("ethereum:{contract}@{chain_id}/transfer?address={address}&uint256={units}")
        }
        // TRON (TRX and TRC-20 tokens): no payment URI is documented that TRON wallets share.
        // BIP21-style `tron:<address>?amount=` links are a convention of some apps only, and
        // TronLink's own scanner is reported to refuse them as an address; its deep links
        // (`tronlinkoutside://`) need a whitelisted DApp and a JSON request, and are TronLink's
        // alone. The plain address is what every TRON wallet scans, so the QR code holds it and
        // the widget offers no "open in wallet" link (it only links payment schemes).
        UriScheme::PlainAddress => address.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Catalogue;

    fn a(s: &str) -> Amount {
        Amount::parse(s).unwrap()
    }

    #[test]
    fn a_payment_page_link_is_its_own_uri() {
        let cat = Catalogue::new(&Default::default());
        let btc = cat.coin("BTC", "BITCOIN").unwrap();
        let page = "https://coins.ph/payment/request/pr1";
        assert_eq!(wallet_uri(btc, page, a("0.001")), page);
    }

    #[test]
    fn each_scheme() {
        let cat = Catalogue::new(&Default::default());
        let btc = cat.coin("BTC", "BITCOIN").unwrap();
        assert_eq!(
            wallet_uri(btc, "bc1qxyz", a("0.00150000")),
            "bitcoin:bc1qxyz?amount=0.0015"
        );
        let ltc = cat.coin("LTC", "LITECOIN").unwrap();
        assert!(wallet_uri(ltc, "ltc1q", a("1.00000000")).starts_with("litecoin:ltc1q?amount=1"));
        let eth = cat.coin("ETH", "ETHEREUM").unwrap();
        assert_eq!(
            wallet_uri(eth, "0xAb", a("0.010000000000000000")),
            "ethereum:0xAb@1?value=10000000000000000"
        );
        let usdt = cat.coin("USDT", "ETHEREUM").unwrap();
        assert_eq!(
            wallet_uri(usdt, "0xAb", a("25.000000")),
            "ethereum:0xdAC17F958D2ee523a2206206994597C13D831ec7@1/transfer?address=0xAb&uint256=25000000"
        );
    }

    #[test]
    fn tron_payments_are_the_plain_address_without_a_scheme() {
        let cat = Catalogue::new(&Default::default());
        let address = "TXYZabcdefghijklmnopqrstuvw1234567";
        for (code, amount) in [("USDT", "99.462901"), ("TRX", "1.000000")] {
            let coin = cat.coin(code, "TRON").unwrap();
            assert_eq!(wallet_uri(coin, address, a(amount)), address, "{code}");
        }
    }
}
