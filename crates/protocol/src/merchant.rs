//! What the merchant API answers about a checkout: the public view plus the merchant's own keys
//! and every payment. The server writes these and the merchant client reads them, so the two
//! cannot drift. The widget never uses them.

use serde::{Deserialize, Serialize};

use crate::{CheckoutView, PaymentView};

/// A checkout as its merchant sees it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantCheckoutView {
    #[serde(flatten)]
    pub checkout: CheckoutView,
    pub client_order_id: Option<String>,
    pub external_id: Option<String>,
    pub widget_key: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// Oldest first.
    pub payments: Vec<MerchantPaymentView>,
}

impl MerchantCheckoutView {
    /// The payment the payer is shown now, if they have picked a coin.
    pub fn active_payment(&self) -> Option<&MerchantPaymentView> {
        self.payments.iter().find(|p| p.active)
    }

    /// The payment with this id, active or not.
    pub fn payment(&self, id: &str) -> Option<&MerchantPaymentView> {
        self.payments.iter().find(|p| p.payment.id == id)
    }
}

/// One payment, with which provider holds it and in what state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MerchantPaymentView {
    #[serde(flatten)]
    pub payment: PaymentView,
    /// Whether this is the payment the payer is currently shown.
    pub active: bool,
    pub provider: String,
    /// The provider's own state name, verbatim.
    pub provider_state: String,
    pub created_at: String,
}
