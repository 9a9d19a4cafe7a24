//! One payer, one checkout, one page: the shape most journeys have. A journey starts with
//! [`Journey::start`], speaks in the steps below, and ends with [`Journey::finish`], which keeps
//! the evidence when a step failed.

use merchant_client::requests::NewCheckout;
use merchant_client::views::MerchantPayment;
use protocol::Amount;

use crate::steps::{coin, WIDGET};
use crate::{Browser, Ctx};

pub struct Journey {
    pub ctx: Ctx,
    pub browser: Browser,
    /// The checkout the payer is shown.
    pub id: String,
    /// The merchant's page embedding it.
    pub url: String,
}

impl Journey {
    /// A fresh server (with `server_env`), `checkout` created by the merchant and embedded in
    /// page `page` of the merchant's site, and a browser that has not opened it yet.
    pub async fn start(server_env: &[(&str, &str)], page: &str, checkout: &NewCheckout) -> Journey {
        Journey::on(Ctx::start(server_env).await, page, checkout).await
    }

    /// As [`Journey::start`] on a server already running, for a checkout whose expiry counts
    /// from now.
    pub async fn on(ctx: Ctx, page: &str, checkout: &NewCheckout) -> Journey {
        let (id, url) = ctx.checkout_page(page, checkout, "").await;
        Journey::on_page(ctx, id, url).await
    }

    /// Checkout `id` on a page the journey built itself (a strict CSP, extra scripts).
    pub async fn on_page(ctx: Ctx, id: String, url: String) -> Journey {
        let browser = ctx.browser().await;
        Journey {
            ctx,
            browser,
            id,
            url,
        }
    }

    /// The payer opens the merchant's page.
    pub async fn open(&self) -> Result<(), String> {
        self.browser.goto(&self.url).await
    }

    /// The payer opens the page and sees the currency list.
    pub async fn open_and_choose(&self) -> Result<(), String> {
        self.open().await?;
        self.expect_screen("choose").await
    }

    /// The payer types `amount` into the amount field.
    pub async fn type_amount(&self, amount: &str) -> Result<(), String> {
        self.browser.type_into(WIDGET, "#cw-amount", amount).await
    }

    /// The payer picks a coin and is shown where to pay.
    pub async fn pick(&self, code: &str, network: &str) -> Result<(), String> {
        self.browser.pick(WIDGET, code, network).await
    }

    /// The payer clicks a coin (whatever the widget does next).
    pub async fn click_coin(&self, code: &str, network: &str) -> Result<(), String> {
        self.browser.click(WIDGET, &coin(code, network)).await
    }

    /// The payment the payer is shown, as the merchant sees it.
    pub async fn active_payment(&self) -> MerchantPayment {
        self.ctx.merchant.active_payment(&self.id).await
    }

    /// The payer's wallet sends `amount` to `payment`'s address.
    pub async fn send(&self, payment: &MerchantPayment, amount: Amount) {
        self.ctx.merchant.pay(payment, amount).await;
    }

    /// The payer's wallet sends exactly what `payment` asks for.
    pub async fn pay_in_full(&self, payment: &MerchantPayment) {
        self.send(payment, payment.payment.amount).await;
    }

    pub async fn expect_screen(&self, screen: &str) -> Result<(), String> {
        self.browser.wait_screen(WIDGET, screen).await
    }

    /// The text of `selector` in the widget, once it is there.
    pub async fn expect_text(&self, selector: &str) -> Result<String, String> {
        self.browser.wait_shadow_text(WIDGET, selector).await
    }

    /// The host page received exactly these `statusChanged` statuses, in order.
    pub async fn expect_statuses(&self, expected: &[&str]) -> Result<(), String> {
        self.browser.expect_statuses(None, expected).await
    }

    /// Ends the journey: on failure saves the evidence and fails the test.
    pub async fn finish(self, name: &str, result: Result<(), String>) {
        self.browser.finish(name, result).await;
    }
}
