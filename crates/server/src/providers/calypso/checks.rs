//! What we ask Calypso for, and whether its answer is what we asked: checked before a payer sees
//! an address, because an invoice for the wrong price, coin or network takes real money.

use std::collections::BTreeMap;

use super::model::Invoice;
use crate::domain::currency::Coin;
use crate::providers::NewInvoice;

/// Coins that are their network's own coin: the only ones whose code alone says the network.
const NATIVE: [(&str, &str); 4] = [
    ("BTC", "BITCOIN"),
    ("LTC", "LITECOIN"),
    ("ETH", "ETHEREUM"),
    ("TRX", "TRON"),
];

/// Calypso's code for `coin`. A token (USDT, USDC, and any coin not in [`NATIVE`]) lives on
/// several networks under one code, so it needs its `CODE/NETWORK` key in
/// `[calypso.currencies]`; without one it is refused rather than guessed (assumption: Calypso's
/// token codes are not public, and a guess could open the invoice on another network). A
/// network's own coin takes its `CODE` key, else our code.
pub fn currency_code(map: &BTreeMap<String, String>, coin: &Coin) -> Result<String, String> {
    let qualified = format!("{}/{}", coin.code, coin.network);
    if let Some(code) = map.get(&qualified) {
        return Ok(code.clone());
    }
    if !NATIVE.contains(&(coin.code, coin.network)) {
        return Err(format!(
            "{} on {} has no Calypso currency code: set \"{qualified}\" in [calypso.currencies] \
             (a token's code must name its network)",
            coin.code, coin.network
        ));
    }
    Ok(map
        .get(coin.code)
        .cloned()
        .unwrap_or_else(|| coin.code.to_owned()))
}

/// Tokens of the catalogue without a code, for the start-up warning (coins paid on another
/// provider's page are not Calypso's to offer).
pub fn unmapped<'a>(map: &BTreeMap<String, String>, coins: &'a [Coin]) -> Vec<&'a Coin> {
    coins
        .iter()
        .filter(|c| !c.paid_on_page() && currency_code(map, c).is_err())
        .collect()
}

/// Whether the invoice Calypso opened is the one asked for `request` in `code`: the same coin,
/// the fiat price and currency (SINGLE_FIAT) or the crypto amount (SINGLE), compared as exact
/// decimals, and an address of the coin's network.
pub fn created_invoice(invoice: &Invoice, request: &NewInvoice, code: &str) -> Result<(), String> {
    if let Some(currency) = invoice.currency.as_deref() {
        if !currency.eq_ignore_ascii_case(code) {
            return Err(format!("the invoice is in {currency}, {code} was asked"));
        }
    }
    match (&request.amount, &request.fiat) {
        (Some(asked), _) if invoice.amount != Some(*asked) => {
            return Err(format!(
                "the invoice asks {} {code}, {asked} was asked",
                shown(invoice.amount)
            ));
        }
        (None, Some(fiat)) => {
            let currency = invoice.fiat_currency.as_deref().unwrap_or("<none>");
            if invoice.fiat_amount != Some(fiat.amount)
                || !currency.eq_ignore_ascii_case(&fiat.currency)
            {
                return Err(format!(
                    "the invoice is priced {} {currency}, {} {} was asked",
                    shown(invoice.fiat_amount),
                    fiat.amount,
                    fiat.currency
                ));
            }
        }
        _ => {}
    }
    let address = invoice.invoice_address.as_deref().unwrap_or_default();
    if address.is_empty() {
        return Err("the answer has no invoiceAddress".into());
    }
    request
        .coin
        .address
        .check(address)
        .map_err(|wrong| format!("invoiceAddress {wrong}"))
}

fn shown(amount: Option<protocol::Amount>) -> String {
    amount.map_or_else(|| "<none>".to_owned(), |a| a.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::currency::Catalogue;
    use protocol::{Amount, Money};

    fn coin(code: &str, network: &str) -> Coin {
        Catalogue::new(&Default::default())
            .coin(code, network)
            .unwrap()
            .clone()
    }

    fn request(coin: Coin, amount: Option<&str>, fiat: Option<(&str, &str)>) -> NewInvoice {
        NewInvoice {
            payment_id: "PAY-1".into(),
            checkout_id: "CCO-1".into(),
            coin,
            amount: amount.map(|a| Amount::parse(a).unwrap()),
            fiat: fiat.map(|(a, c)| Money {
                amount: Amount::parse(a).unwrap(),
                currency: c.into(),
            }),
            expires_at_ms: 0,
            title: "Mug".into(),
            return_url: None,
            reserved_ref: None,
            payer_contact: None,
        }
    }

    fn invoice(address: &str, fiat: Option<(&str, &str)>) -> Invoice {
        Invoice {
            invoice_address: Some(address.into()),
            amount: Some(Amount::parse("0.001").unwrap()),
            currency: Some("BTC".into()),
            fiat_amount: fiat.map(|(a, _)| Amount::parse(a).unwrap()),
            fiat_currency: fiat.map(|(_, c)| c.into()),
            ..Invoice::default()
        }
    }

    const BTC_ADDRESS: &str = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq";

    #[test]
    fn tokens_need_a_network_qualified_code_and_native_coins_default_to_ours() {
        let mut map = BTreeMap::new();
        map.insert("USDT".to_owned(), "USDT".to_owned());
        map.insert("USDT/TRON".to_owned(), "USDT_TRC20".to_owned());
        map.insert("BTC".to_owned(), "XBT".to_owned());
        assert_eq!(
            currency_code(&map, &coin("USDT", "TRON")).unwrap(),
            "USDT_TRC20"
        );
        // A bare `USDT` key cannot say which network: not enough for a token.
        let err = currency_code(&map, &coin("USDT", "ETHEREUM")).unwrap_err();
        assert!(err.contains("\"USDT/ETHEREUM\""), "{err}");
        assert!(currency_code(&map, &coin("USDC", "ETHEREUM")).is_err());
        assert_eq!(currency_code(&map, &coin("BTC", "BITCOIN")).unwrap(), "XBT");
        assert_eq!(currency_code(&map, &coin("TRX", "TRON")).unwrap(), "TRX");
        let all = Catalogue::new(&Default::default());
        let missing: Vec<String> = unmapped(&map, all.all())
            .iter()
            .map(|c| format!("{}/{}", c.code, c.network))
            .collect();
        assert_eq!(missing, ["USDT/ETHEREUM", "USDC/ETHEREUM"]);
    }

    #[test]
    fn a_fiat_invoice_must_carry_the_price_asked_exactly() {
        let asked = request(coin("BTC", "BITCOIN"), None, Some(("25.00", "USD")));
        let same = invoice(BTC_ADDRESS, Some(("25", "usd")));
        assert_eq!(created_invoice(&same, &asked, "BTC"), Ok(()));
        for (answer, says) in [
            (Some(("24.99", "USD")), "24.99 USD"),
            (
                Some(("25.000000000000000001", "USD")),
                "25.000000000000000001",
            ),
            (Some(("25.00", "EUR")), "EUR"),
            (None, "<none> <none>"),
        ] {
            let why = created_invoice(&invoice(BTC_ADDRESS, answer), &asked, "BTC").unwrap_err();
            assert!(why.contains(says) && why.contains("25.00 USD"), "{why}");
        }
    }

    #[test]
    fn a_coin_invoice_must_carry_the_amount_coin_and_a_right_network_address() {
        let asked = request(coin("BTC", "BITCOIN"), Some("0.00100000"), None);
        assert_eq!(
            created_invoice(&invoice(BTC_ADDRESS, None), &asked, "BTC"),
            Ok(())
        );
        let mut other = invoice(BTC_ADDRESS, None);
        other.amount = Some(Amount::parse("0.0011").unwrap());
        assert!(created_invoice(&other, &asked, "BTC").is_err());
        let mut other = invoice(BTC_ADDRESS, None);
        other.currency = Some("LTC".into());
        assert!(created_invoice(&other, &asked, "BTC").is_err());
        let why = created_invoice(
            &invoice("ltc1qg82ns5u0ss8nlsm6wz8ukhd0tfpvwqk2dzkp2s", None),
            &asked,
            "BTC",
        )
        .unwrap_err();
        assert!(why.contains("a Bitcoin address"), "{why}");
        assert!(created_invoice(&invoice("", None), &asked, "BTC").is_err());

        let tron = request(coin("USDT", "TRON"), Some("0.001"), None);
        let mut evm = invoice("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", None);
        evm.currency = Some("USDT_TRC20".into());
        let why = created_invoice(&evm, &tron, "USDT_TRC20").unwrap_err();
        assert!(why.contains("a TRON address"), "{why}");
    }
}
