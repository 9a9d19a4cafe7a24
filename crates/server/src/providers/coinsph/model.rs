//! Coins.ph's wire shapes. Amounts come as decimal strings in its examples; numbers are read
//! exactly too. Every field optional, unknown fields ignored.

use protocol::Amount;
use serde::{Deserialize, Serialize};

use crate::providers::decimal;

/// `POST /api/v3/payment-requests/`, shaped like the documented example: the amount as a
/// decimal string at 8 places (`"20.00000000"`), in `PHP`.
#[derive(Serialize)]
pub struct NewPaymentRequest<'a> {
    /// The payer's email, phone number or account id (required by Coins.ph).
    pub payer_contact_info: &'a str,
    pub receiving_account: &'a str,
    pub amount: String,
    pub currency: String,
    /// Carries our checkout id, so the merchant can find the request in Coins.ph.
    pub message: String,
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
