//! The merchant's backend: everything a merchant does goes through the merchant HTTP API, with
//! the shared [`MerchantClient`]. A journey cannot go on without its merchant, so a refusal
//! panics with the server's answer instead of returning an error to handle.

use merchant_client::requests::Resolution;
use merchant_client::views::{MerchantCheckout, MerchantPayment, SandboxTransaction, Widget};
use merchant_client::{calls, Call, MerchantClient};
use protocol::Amount;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::server::MERCHANT_KEY;

#[derive(Clone)]
pub struct Merchant {
    client: MerchantClient,
}

impl Merchant {
    pub fn new(server_origin: &str) -> Merchant {
        Merchant {
            client: MerchantClient::new(server_origin, MERCHANT_KEY),
        }
    }

    /// Sends `call`; panics with the server's answer unless it succeeds.
    pub async fn call<T: DeserializeOwned>(&self, call: Call<T>) -> T {
        let what = format!("{} {}", call.method, call.path);
        self.client
            .call(call)
            .await
            .unwrap_or_else(|e| panic!("{what}: {e}"))
    }

    /// Creates a checkout (a [`merchant_client::requests::NewCheckout`] or any JSON body) and
    /// returns its id.
    pub async fn create_checkout(&self, body: &impl Serialize) -> String {
        self.call(calls::create_checkout(body)).await.checkout.id
    }

    /// Creates a FIXED_PRICE checkout of `amount` `currency` and returns its id.
    pub async fn create_fixed_checkout(&self, name: &str, amount: &str, currency: &str) -> String {
        self.create_checkout(&crate::steps::fixed_price(name, amount, currency))
            .await
    }

    /// The merchant's view of a checkout.
    pub async fn checkout(&self, id: &str) -> MerchantCheckout {
        self.call(calls::checkout(id)).await
    }

    /// The active payment of a checkout (as the merchant's backend sees it).
    pub async fn active_payment(&self, id: &str) -> MerchantPayment {
        let checkout = self.checkout(id).await;
        checkout
            .active_payment()
            .cloned()
            .unwrap_or_else(|| panic!("checkout {id} has no active payment: {checkout:?}"))
    }

    /// Sends `amount` to a sandbox payment's address.
    pub async fn sandbox_pay(&self, payment_id: &str, amount: &str) -> SandboxTransaction {
        self.call(calls::sandbox_pay(payment_id, amount)).await
    }

    /// Sends `amount` to `payment`'s address.
    pub async fn pay(&self, payment: &MerchantPayment, amount: Amount) -> SandboxTransaction {
        self.sandbox_pay(&payment.payment.id, &amount.to_string())
            .await
    }

    /// Pays the active payment of checkout `id` exactly in full; returns that payment.
    pub async fn pay_in_full(&self, id: &str) -> MerchantPayment {
        let payment = self.active_payment(id).await;
        self.pay(&payment, payment.payment.amount).await;
        payment
    }

    pub async fn cancel(&self, id: &str) -> MerchantCheckout {
        self.call(calls::cancel(id)).await
    }

    pub async fn resolve(&self, id: &str, action: Resolution) -> MerchantCheckout {
        self.call(calls::resolve(id, action)).await
    }

    /// Creates a reusable widget (a [`merchant_client::requests::NewWidget`] or any JSON body).
    pub async fn create_widget(&self, body: &impl Serialize) -> Widget {
        self.call(calls::create_widget(body)).await
    }

    pub async fn widget(&self, key: &str) -> Widget {
        self.call(calls::widget(key)).await
    }
}
