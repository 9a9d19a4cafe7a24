//! The checkout as the widget sees it: the public view, its payment, and the payer's requests.

use serde::{Deserialize, Serialize};

use crate::{Amount, CheckoutStatus, CurrencyOption, Exception, QrMatrix};

/// How the price of a checkout is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CheckoutType {
    /// One amount, in a fiat or crypto currency, set by the merchant.
    FixedPrice,
    /// Preset amounts the payer can pick from, or any amount within the limits.
    SuggestedFixedPrice,
    /// The payer enters the amount, within the limits.
    NoPrice,
}

impl CheckoutType {
    /// Whether the payer supplies the amount when picking a currency.
    pub const fn payer_sets_amount(self) -> bool {
        !matches!(self, Self::FixedPrice)
    }
}

/// An amount in a named currency (fiat like `USD` or crypto like `BTC`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Money {
    pub amount: Amount,
    pub currency: String,
}

/// What anybody holding the checkout id may see. It never carries merchant-only fields
/// (client order id, metadata, webhook settings); the server builds it from its own record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutView {
    /// `CCO-<uuid>`.
    pub id: String,
    #[serde(rename = "type")]
    pub checkout_type: CheckoutType,
    pub status: CheckoutStatus,
    #[serde(default)]
    pub exception: Option<Exception>,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub logo_url: Option<String>,
    #[serde(default)]
    pub return_url: Option<String>,
    #[serde(default)]
    pub support_url: Option<String>,
    /// RFC 3339.
    pub expires_at: String,
    /// The price for FIXED_PRICE checkouts.
    #[serde(default)]
    pub price: Option<Money>,
    /// The currency payer-entered amounts are in (NO_PRICE and SUGGESTED_FIXED_PRICE).
    #[serde(default)]
    pub amount_currency: Option<String>,
    /// Presets for SUGGESTED_FIXED_PRICE, in `amount_currency`.
    #[serde(default)]
    pub suggested_amounts: Vec<Amount>,
    #[serde(default)]
    pub min_amount: Option<Amount>,
    #[serde(default)]
    pub max_amount: Option<Amount>,
    /// What the payer may pay with.
    pub currencies: Vec<CurrencyOption>,
    /// The payment for the currency the payer picked last, if any.
    #[serde(default)]
    pub payment: Option<PaymentView>,
    /// Increases with every change; the live stream and ETags are built from it.
    pub version: u64,
    /// A test checkout (the sandbox): nothing real is paid, and the widget says so.
    #[serde(default)]
    pub test: bool,
    /// The provider needs the payer's contact (an email, phone number or account id: Coins.ph's
    /// payment requests name the payer), so a pick must carry `payerContact`.
    #[serde(default)]
    pub payer_contact_required: bool,
    /// The server runs as a demo and this is a test checkout: the widget may offer its test
    /// controls ([`TestActionRequest`]). Never true on a production server.
    #[serde(default)]
    pub test_controls: bool,
}

/// What a demo's test controls do to a test checkout, as the payer's wallet or the chain would.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TestAction {
    /// A transaction paying what is still due on the payment on screen.
    PayInFull,
    /// A transaction paying half of what is still due.
    PayPart,
    /// A block: every transaction seen gets a confirmation.
    MineBlock,
    /// The checkout's time runs out now.
    Expire,
}

impl TestAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            TestAction::PayInFull => "PAY_IN_FULL",
            TestAction::PayPart => "PAY_PART",
            TestAction::MineBlock => "MINE_BLOCK",
            TestAction::Expire => "EXPIRE",
        }
    }
}

/// The body of a test control (demo servers only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TestActionRequest {
    pub action: TestAction,
}

/// The payment for one picked currency: where to send what.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaymentView {
    pub id: String,
    pub currency: String,
    pub network: String,
    pub address: String,
    /// Exact amount due, at the coin's scale (e.g. `"0.00153846"`). Ether prices are quoted at
    /// 8 places, so their last 10 digits are zeros.
    pub amount: Amount,
    /// The same amount in the coin's smallest unit (satoshi, wei, sun), as a decimal string.
    pub amount_units: String,
    /// Received so far, confirmed or not.
    pub amount_paid: Amount,
    /// Still due (zero when paid or overpaid).
    pub amount_remaining: Amount,
    /// The wallet URI to show as a QR code and to open a wallet with (BIP21, EIP-681, or the
    /// plain address).
    pub wallet_uri: String,
    /// `wallet_uri` as a QR code, for the widget to draw. Public views only (`None` in the
    /// merchant's, and when the URI is too long for any QR code).
    #[serde(default)]
    pub wallet_qr: Option<QrMatrix>,
    /// The same for the remaining amount, when part has been paid.
    #[serde(default)]
    pub remaining_wallet_uri: Option<String>,
    /// `remaining_wallet_uri` as a QR code.
    #[serde(default)]
    pub remaining_wallet_qr: Option<QrMatrix>,
    /// The checkout's price in its fiat currency, when it has one.
    #[serde(default)]
    pub fiat: Option<Money>,
    /// Fiat per coin used to compute `amount`, when converted.
    #[serde(default)]
    pub rate: Option<Amount>,
    /// RFC 3339; the amount is guaranteed until then.
    pub rate_expires_at: String,
    pub confirmations: u32,
    pub confirmations_required: u32,
    /// A test payment (the sandbox): its address is on a test network, and no real funds may
    /// ever be sent to it.
    #[serde(default)]
    pub test: bool,
    /// The provider's own payment page, when the payment is made there rather than to an
    /// address (Coins.ph): `address` is then empty and there is no QR code. Always `https`.
    #[serde(default)]
    pub payment_url: Option<String>,
}

/// The payer's choice of coin (and amount, when the checkout lets the payer set it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PickCurrencyRequest {
    pub currency: String,
    pub network: String,
    /// Required for NO_PRICE and SUGGESTED_FIXED_PRICE, refused for FIXED_PRICE.
    #[serde(default)]
    pub amount: Option<Amount>,
    /// The payer's email, phone number or account id, when the checkout says
    /// `payerContactRequired` (see [`crate::contact`]); ignored otherwise.
    #[serde(default)]
    pub payer_contact: Option<String>,
}

/// The small, cheap-to-poll part of a checkout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub id: String,
    pub status: CheckoutStatus,
    #[serde(default)]
    pub exception: Option<Exception>,
    pub version: u64,
    #[serde(default)]
    pub payment_id: Option<String>,
    #[serde(default)]
    pub amount_paid: Option<Amount>,
    #[serde(default)]
    pub confirmations: Option<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pick_request_refuses_unknown_fields_and_float_amounts() {
        let ok: PickCurrencyRequest =
            serde_json::from_str(r#"{"currency":"BTC","network":"BITCOIN","amount":"12.5"}"#)
                .unwrap();
        assert_eq!(ok.amount.unwrap().to_string(), "12.5");
        let unknown = serde_json::from_str::<PickCurrencyRequest>(
            r#"{"currency":"BTC","network":"BITCOIN","amout":"1"}"#,
        )
        .unwrap_err();
        assert!(unknown.to_string().contains("amout"));
        assert!(serde_json::from_str::<PickCurrencyRequest>(
            r#"{"currency":"BTC","network":"BITCOIN","amount":1.5}"#
        )
        .is_err());
    }

    #[test]
    fn checkout_type_uses_inqud_names() {
        assert_eq!(
            serde_json::to_string(&CheckoutType::SuggestedFixedPrice).unwrap(),
            "\"SUGGESTED_FIXED_PRICE\""
        );
        assert!(CheckoutType::NoPrice.payer_sets_amount());
        assert!(!CheckoutType::FixedPrice.payer_sets_amount());
    }
}
