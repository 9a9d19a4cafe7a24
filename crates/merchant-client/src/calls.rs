//! Every endpoint of the merchant API as a [`Call`]: which method, which path, which body, and
//! what a successful answer is.

use std::marker::PhantomData;

use protocol::api::{fill, paths};
use reqwest::Method;
use serde::Serialize;
use serde_json::Value;

use crate::requests::{CheckoutFilter, DeliveryFilter, Resolution};
use crate::views::{
    CheckoutPage, Delivery, DeliveryDetail, DeliveryPage, MerchantCheckout, SandboxTransaction,
    Widget,
};

/// One request to the merchant API whose successful answer is a `T`.
#[derive(Debug, Clone)]
pub struct Call<T> {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<Value>,
    answer: PhantomData<fn() -> T>,
}

impl<T> Call<T> {
    fn new(method: Method, path: String) -> Call<T> {
        Call {
            method,
            path,
            query: Vec::new(),
            body: None,
            answer: PhantomData,
        }
    }

    /// Bodies are plain data (structs of strings and amounts, or JSON values): turning one into
    /// JSON cannot fail.
    fn with_body(mut self, body: &impl Serialize) -> Call<T> {
        self.body = Some(serde_json::to_value(body).expect("a request body is plain data"));
        self
    }

    fn with_query(mut self, query: Vec<(&'static str, String)>) -> Call<T> {
        self.query = query;
        self
    }
}

/// `body` is a [`crate::requests::NewCheckout`], or any JSON (the command line's `--json`, the
/// tests' invalid bodies). 201 new, 200 for a `clientOrderId` already used.
pub fn create_checkout(body: &impl Serialize) -> Call<MerchantCheckout> {
    Call::new(Method::POST, paths::CHECKOUTS.to_owned()).with_body(body)
}

pub fn checkout(id: &str) -> Call<MerchantCheckout> {
    Call::new(Method::GET, fill(paths::CHECKOUT, id))
}

pub fn checkouts(filter: &CheckoutFilter) -> Call<CheckoutPage> {
    Call::new(Method::GET, paths::CHECKOUTS.to_owned()).with_query(filter.query())
}

pub fn cancel(id: &str) -> Call<MerchantCheckout> {
    Call::new(Method::POST, fill(paths::CHECKOUT_CANCEL, id))
}

pub fn resolve(id: &str, action: Resolution) -> Call<MerchantCheckout> {
    Call::new(Method::POST, fill(paths::CHECKOUT_RESOLVE, id))
        .with_body(&serde_json::json!({ "action": action }))
}

/// `body` is a [`crate::requests::NewWidget`] or any JSON. 201 new, 200 for a known
/// `idempotencyKey`.
pub fn create_widget(body: &impl Serialize) -> Call<Widget> {
    Call::new(Method::POST, paths::WIDGETS.to_owned()).with_body(body)
}

pub fn widget(key: &str) -> Call<Widget> {
    Call::new(Method::GET, fill(paths::WIDGET, key))
}

/// A simulated transaction of `amount` (a decimal string in the payment's coin, passed as given
/// so the server judges it) to a sandbox payment's address.
pub fn sandbox_pay(payment_id: &str, amount: &str) -> Call<SandboxTransaction> {
    Call::new(Method::POST, fill(paths::SANDBOX_PAY, payment_id))
        .with_body(&serde_json::json!({ "amount": amount }))
}

pub fn deliveries(filter: &DeliveryFilter) -> Call<DeliveryPage> {
    Call::new(Method::GET, paths::DELIVERIES.to_owned()).with_query(filter.query())
}

pub fn delivery(event_id: &str) -> Call<DeliveryDetail> {
    Call::new(Method::GET, fill(paths::DELIVERY, event_id))
}

/// 202 with the delivery, due now.
pub fn redeliver(event_id: &str) -> Call<Delivery> {
    Call::new(Method::POST, fill(paths::DELIVERY_REDELIVER, event_id))
}

/// How far the re-reading of open payments is behind, and which providers fail: a report the
/// server shapes as it goes, read as JSON.
pub fn reconciliation() -> Call<Value> {
    Call::new(Method::GET, paths::RECONCILIATION.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::requests::{NewCheckout, Page};

    #[test]
    fn calls_name_their_endpoint_and_body() {
        let pay = sandbox_pay("PAY-1", "0.5");
        assert_eq!(
            (pay.method, pay.path.as_str()),
            (Method::POST, "/api/v1/sandbox/payments/PAY-1/pay")
        );
        assert_eq!(pay.body, Some(serde_json::json!({"amount": "0.5"})));
        let resolve = resolve("CCO-1", Resolution::MarkPaid);
        assert_eq!(
            resolve.body,
            Some(serde_json::json!({"action": "MARK_PAID"}))
        );
        let create = create_checkout(&NewCheckout::no_price("Gift", "USD"));
        assert_eq!(
            create.body,
            Some(serde_json::json!({"name": "Gift", "type": "NO_PRICE", "amountCurrency": "USD"}))
        );
        let list = checkouts(&CheckoutFilter {
            page: Page {
                limit: Some(2),
                cursor: None,
            },
            status: Some(protocol::CheckoutStatus::Cancelled),
        });
        assert_eq!(
            list.query,
            vec![
                ("limit", "2".to_owned()),
                ("status", "CANCELLED".to_owned())
            ]
        );
    }
}
