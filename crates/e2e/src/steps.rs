//! The words journeys are written in: what a merchant sells, where the payer opens it, which
//! coin they pick, what they send. Each is one step that used to be spelled out in every journey.

use merchant_client::requests::NewCheckout;
use protocol::{Amount, Money};

use crate::{Browser, Ctx};

/// The selector of the widget on a page with one.
pub const WIDGET: &str = "app-widget";

/// The `statusChanged` statuses of a checkout paid in full at the first try.
pub const PAID: [&str; 4] = ["NEW", "WAITING_PAYMENT", "PENDING_PAYMENT", "SUCCESS"];

/// The merchant's "back to the shop" page.
pub const THANKS: &str = "https://merchant.example/thanks";
/// The merchant's help page.
pub const HELP: &str = "https://merchant.example/help";

/// The selector of a currency button.
pub fn coin(code: &str, network: &str) -> String {
    format!("button.currency[data-currency={code}][data-network={network}]")
}

/// A FIXED_PRICE checkout of `amount` `currency` that sends the payer back to [`THANKS`].
pub fn fixed_price(name: &str, amount: &str, currency: &str) -> NewCheckout {
    NewCheckout::fixed_price(name, money(amount, currency)).return_url(THANKS)
}

/// A FIXED_PRICE checkout with neither a return nor a support link.
pub fn bare_fixed_price(name: &str, amount: &str, currency: &str) -> NewCheckout {
    NewCheckout::fixed_price(name, money(amount, currency))
}

/// A NO_PRICE checkout: the payer enters between `min` and `max` `currency`.
pub fn no_price(name: &str, currency: &str, min: &str, max: &str) -> NewCheckout {
    NewCheckout::no_price(name, currency).between(amount(min), amount(max))
}

/// `amount` (a decimal literal) in `currency`.
pub fn money(amount: &str, currency: &str) -> Money {
    Money {
        amount: self::amount(amount),
        currency: currency.to_owned(),
    }
}

/// `text` as an [`Amount`]; a journey's own literals are valid.
pub fn amount(text: &str) -> Amount {
    Amount::parse(text).unwrap_or_else(|e| panic!("`{text}`: {e}"))
}

/// `due` split into a first part (half, rounded down at its scale) and the rest.
pub fn halves(due: Amount) -> Result<(Amount, Amount), String> {
    let half = Amount::from_units(due.units() / 2, due.scale()).ok_or("half")?;
    let rest = due.checked_sub(half).ok_or("rest")?;
    Ok((half, rest))
}

/// The widget tag for checkout `id`, with extra `attributes` (`theme="dark"`, …).
pub fn widget_tag(id: &str, attributes: &str) -> String {
    let attributes = if attributes.is_empty() {
        String::new()
    } else {
        format!(" {attributes}")
    };
    format!("<app-widget id=\"{id}\"{attributes}></app-widget>")
}

impl Ctx {
    /// The payer's pick of `code` on `network` for checkout `id`, sent to the public API as the
    /// widget sends it: for journeys that prepare a view before the payer opens the page.
    pub async fn pick_for(&self, id: &str, code: &str, network: &str) -> Result<(), String> {
        let url = format!("{}{}", self.server.origin(), protocol::api::payment(id));
        let pick = protocol::PickCurrencyRequest {
            currency: code.to_owned(),
            network: network.to_owned(),
            amount: None,
            payer_contact: None,
        };
        let answer = reqwest::Client::new()
            .post(&url)
            .header("Origin", self.site.origin())
            .json(&pick)
            .send()
            .await
            .map_err(|e| format!("POST {url}: {e}"))?;
        match answer.status().is_success() {
            true => Ok(()),
            false => Err(format!("POST {url}: {}", answer.status())),
        }
    }

    /// Publishes page `name` showing checkout `id` as the server shows it, changed by `alter`:
    /// for the views only a real provider leads to (a payment it holds for review, funds it saw
    /// after the window we watch), which the sandbox cannot produce. The view and status are
    /// read from the real server, `alter` is applied to both, and the host site answers them
    /// in its place (the widget's `api-base` is the host's origin; its files still come from
    /// the server).
    pub async fn stand_in_page(
        &self,
        name: &str,
        id: &str,
        alter: impl Fn(&mut serde_json::Value),
    ) -> Result<String, String> {
        for path in [protocol::api::checkout(id), protocol::api::status(id)] {
            let url = format!("{}{path}", self.server.origin());
            let mut json: serde_json::Value = reqwest::Client::new()
                .get(&url)
                .header("Origin", self.site.origin())
                .send()
                .await
                .and_then(reqwest::Response::error_for_status)
                .map_err(|e| format!("GET {url}: {e}"))?
                .json()
                .await
                .map_err(|e| format!("GET {url}: {e}"))?;
            alter(&mut json);
            self.site.answer_json(&path, json.to_string());
        }
        let api_base = format!("api-base=\"{}\"", self.site.origin());
        Ok(self.page(name, &widget_tag(id, &api_base)))
    }

    /// Creates `checkout` and publishes page `name` embedding it with [`widget_tag`]; returns
    /// the checkout's id and the page's URL.
    pub async fn checkout_page(
        &self,
        name: &str,
        checkout: &NewCheckout,
        attributes: &str,
    ) -> (String, String) {
        let id = self.merchant.create_checkout(checkout).await;
        let url = self.page(name, &widget_tag(&id, attributes));
        (id, url)
    }
}

impl Browser {
    /// Picks a coin in the widget `host` and waits for its payment screen.
    pub async fn pick(&self, host: &str, code: &str, network: &str) -> Result<(), String> {
        self.click(host, &coin(code, network)).await?;
        self.wait_screen(host, "pay").await
    }
}
