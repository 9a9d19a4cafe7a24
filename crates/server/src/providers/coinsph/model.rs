//! Coins.ph's wire shapes. Amounts come as decimal strings in its examples; numbers are read
//! exactly too. Every field optional, unknown fields ignored.

use protocol::Amount;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::providers::decimal;

#[derive(Serialize)]
pub struct NewPaymentRequest<'a> {
    pub receiving_account: &'a str,
    pub amount: Box<RawValue>,
    pub currency: String,
    pub message: &'a str,
}

/// The payment request (the answer wraps it in `"payment-request"`).
#[derive(Debug, Default, Deserialize)]
pub struct PaymentRequestBody {
    pub id: Option<String>,
    pub invoice: Option<String>,
    #[serde(default, deserialize_with = "decimal::amount")]
    pub amount: Option<Amount>,
    pub currency: Option<String>,
    pub status: Option<String>,
    pub payment_url: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Invoice {
    pub id: Option<String>,
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "decimal::amount")]
    pub amount: Option<Amount>,
    #[serde(default, deserialize_with = "decimal::amount")]
    pub amount_received: Option<Amount>,
    pub status: Option<String>,
    pub external_transaction_id: Option<String>,
}

/// `{"event": {"name": …, "data": {"id", "currency", "amount", "amount_received", …}}}`.
#[derive(Debug, Deserialize)]
pub struct Callback {
    pub event: CallbackEvent,
}

#[derive(Debug, Deserialize)]
pub struct CallbackEvent {
    pub name: Option<String>,
    pub data: CallbackData,
}

#[derive(Debug, Deserialize)]
pub struct CallbackData {
    pub id: Option<String>,
}
