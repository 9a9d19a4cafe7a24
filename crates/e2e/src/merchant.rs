//! The merchant's backend: everything a merchant does goes through the merchant HTTP API.

use serde_json::Value;

use crate::server::MERCHANT_KEY;

#[derive(Clone)]
pub struct Merchant {
    base: String,
    http: reqwest::Client,
}

impl Merchant {
    pub fn new(server_origin: &str) -> Merchant {
        Merchant {
            base: server_origin.to_owned(),
            http: reqwest::Client::new(),
        }
    }

    /// `POST` `body` to the merchant API path; panics with the server's answer unless 2xx.
    pub async fn post(&self, path: &str, body: &Value) -> Value {
        let response = self
            .http
            .post(format!("{}{}", self.base, path))
            .bearer_auth(MERCHANT_KEY)
            .json(body)
            .send()
            .await
            .unwrap_or_else(|e| panic!("POST {path}: {e}"));
        Self::json(path, response).await
    }

    pub async fn get(&self, path: &str) -> Value {
        let response = self
            .http
            .get(format!("{}{}", self.base, path))
            .bearer_auth(MERCHANT_KEY)
            .send()
            .await
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        Self::json(path, response).await
    }

    async fn json(path: &str, response: reqwest::Response) -> Value {
        let status = response.status();
        let text = response.text().await.unwrap_or_default();
        assert!(status.is_success(), "{path} answered {status}: {text}");
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}"))
    }

    /// Creates a checkout from a full request body and returns its id.
    pub async fn create_checkout(&self, body: Value) -> String {
        let created = self.post("/api/v1/checkouts", &body).await;
        created["id"].as_str().expect("checkout id").to_owned()
    }

    /// The merchant's view of a checkout.
    pub async fn checkout(&self, id: &str) -> Value {
        self.get(&format!("/api/v1/checkouts/{id}")).await
    }

    /// The active payment of a checkout (as the merchant's backend sees it).
    pub async fn active_payment(&self, id: &str) -> Value {
        let checkout = self.checkout(id).await;
        checkout["payments"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["active"] == true).cloned())
            .unwrap_or_else(|| panic!("checkout {id} has no active payment: {checkout}"))
    }

    /// Sends `amount` to a sandbox payment's address.
    pub async fn sandbox_pay(&self, payment_id: &str, amount: &str) -> Value {
        self.post(
            &format!("/api/v1/sandbox/payments/{payment_id}/pay"),
            &serde_json::json!({ "amount": amount }),
        )
        .await
    }

    /// Pays the active payment of checkout `id` exactly in full; returns that payment.
    pub async fn pay_in_full(&self, id: &str) -> Value {
        let payment = self.active_payment(id).await;
        self.sandbox_pay(
            payment["id"].as_str().unwrap_or_default(),
            payment["amount"].as_str().unwrap_or_default(),
        )
        .await;
        payment
    }

    pub async fn resolve(&self, id: &str, action: &str) -> Value {
        self.post(
            &format!("/api/v1/checkouts/{id}/resolve"),
            &serde_json::json!({ "action": action }),
        )
        .await
    }

    /// Creates a FIXED_PRICE checkout and returns its id.
    pub async fn create_fixed_checkout(&self, name: &str, amount: &str, currency: &str) -> String {
        let created = self
            .post(
                "/api/v1/checkouts",
                &serde_json::json!({
                    "name": name,
                    "type": "FIXED_PRICE",
                    "fixedAmount": {"amount": amount, "currency": currency},
                    "returnUrl": "https://merchant.example/thanks",
                }),
            )
            .await;
        created["id"].as_str().expect("checkout id").to_owned()
    }
}
