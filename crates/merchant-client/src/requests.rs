//! What a merchant sends: request bodies and list filters, with the API's field names.

use protocol::{Amount, CheckoutStatus, CheckoutType, Money};
use serde::Serialize;

/// What a checkout and a reusable widget both describe: the texts the payer sees and the price.
/// Absent fields are left out of the body, so the server applies its defaults.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Details {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub checkout_type: Option<CheckoutType>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_amount: Option<Money>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_amount: Option<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_amounts: Option<Vec<Amount>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub support_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
}

impl Details {
    /// A FIXED_PRICE `name` at `price`.
    pub fn fixed_price(name: &str, price: Money) -> Details {
        Details {
            name: Some(name.to_owned()),
            checkout_type: Some(CheckoutType::FixedPrice),
            fixed_amount: Some(price),
            ..Details::default()
        }
    }

    /// A NO_PRICE `name`: the payer enters an amount in `currency`.
    pub fn no_price(name: &str, currency: &str) -> Details {
        Details {
            name: Some(name.to_owned()),
            checkout_type: Some(CheckoutType::NoPrice),
            amount_currency: Some(currency.to_owned()),
            ..Details::default()
        }
    }
}

/// The body of `POST /api/v1/checkouts` (Inqud's field names).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCheckout {
    #[serde(flatten)]
    pub details: Details,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_order_id: Option<String>,
    /// RFC 3339; the server's default lifetime when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
}

impl NewCheckout {
    pub fn new(details: Details) -> NewCheckout {
        NewCheckout {
            details,
            client_order_id: None,
            expires_at: None,
        }
    }

    pub fn fixed_price(name: &str, price: Money) -> NewCheckout {
        NewCheckout::new(Details::fixed_price(name, price))
    }

    pub fn no_price(name: &str, currency: &str) -> NewCheckout {
        NewCheckout::new(Details::no_price(name, currency))
    }

    /// Where the payer's "back to the shop" link goes once paid.
    pub fn return_url(mut self, url: &str) -> NewCheckout {
        self.details.return_url = Some(url.to_owned());
        self
    }

    /// Where the payer's "get help" link goes.
    pub fn support_url(mut self, url: &str) -> NewCheckout {
        self.details.support_url = Some(url.to_owned());
        self
    }

    pub fn description(mut self, text: &str) -> NewCheckout {
        self.details.description = Some(text.to_owned());
        self
    }

    /// Limits for the amount the payer enters.
    pub fn between(mut self, min: Amount, max: Amount) -> NewCheckout {
        self.details.min_amount = Some(min);
        self.details.max_amount = Some(max);
        self
    }

    /// RFC 3339.
    pub fn expires_at(mut self, at: &str) -> NewCheckout {
        self.expires_at = Some(at.to_owned());
        self
    }
}

/// The body of `POST /api/v1/widgets`: a reusable key, each opening a fresh checkout.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewWidget {
    /// A random (version 4) UUID; it becomes the widget key.
    pub idempotency_key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(flatten)]
    pub details: Details,
}

/// How the merchant settles a CONFLICT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Resolution {
    /// Accept what arrived: SUCCESS.
    MarkPaid,
    /// Refund outside the system and close: CANCELLED.
    Close,
}

/// Which page of a list (newest first): at most `limit` items, after the previous page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub limit: Option<u32>,
    /// The previous page's `nextCursor`.
    pub cursor: Option<String>,
}

/// `GET /api/v1/checkouts`.
#[derive(Debug, Clone, Default)]
pub struct CheckoutFilter {
    pub page: Page,
    pub status: Option<CheckoutStatus>,
}

/// `GET /api/v1/deliveries`.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub page: Page,
    /// PENDING, DELIVERED or FAILED.
    pub state: Option<String>,
    pub checkout_id: Option<String>,
}

impl CheckoutFilter {
    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        self.page
            .query_with([("status", self.status.map(|s| s.as_str().to_owned()))])
    }
}

impl DeliveryFilter {
    pub(crate) fn query(&self) -> Vec<(&'static str, String)> {
        self.page.query_with([
            ("state", self.state.clone()),
            ("checkoutId", self.checkout_id.clone()),
        ])
    }
}

impl Page {
    /// The query string's pairs: the page's, then the list's own `filters`, the absent left out.
    fn query_with<const N: usize>(
        &self,
        filters: [(&'static str, Option<String>); N],
    ) -> Vec<(&'static str, String)> {
        let page = [
            ("limit", self.limit.map(|l| l.to_string())),
            ("cursor", self.cursor.clone()),
        ];
        page.into_iter()
            .chain(filters)
            .filter_map(|(key, value)| value.map(|v| (key, v)))
            .collect()
    }
}
