//! The `detail` of the `statusChanged` DOM event the widget dispatches on `<app-widget>`.

use serde::{Deserialize, Serialize};

use crate::{Amount, CheckoutStatus, CheckoutView, Exception};

/// Listeners that read only `detail.id` and `detail.status` (the Inqud-compatible contract) keep
/// working; the other fields are there for front ends that want more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusChangedDetail {
    pub id: String,
    pub status: CheckoutStatus,
    pub previous_status: Option<CheckoutStatus>,
    pub payment_id: Option<String>,
    pub currency: Option<String>,
    pub network: Option<String>,
    pub amount: Option<Amount>,
    pub amount_paid: Option<Amount>,
    pub exception: Option<Exception>,
}

impl StatusChangedDetail {
    /// The detail for `checkout` as it is now, after `previous` (None the first time a status is
    /// known).
    pub fn from_view(checkout: &CheckoutView, previous: Option<CheckoutStatus>) -> Self {
        let payment = checkout.payment.as_ref();
        StatusChangedDetail {
            id: checkout.id.clone(),
            status: checkout.status,
            previous_status: previous,
            payment_id: payment.map(|p| p.id.clone()),
            currency: payment.map(|p| p.currency.clone()),
            network: payment.map(|p| p.network.clone()),
            amount: payment.map(|p| p.amount),
            amount_paid: payment.map(|p| p.amount_paid),
            exception: checkout.exception,
        }
    }
}
