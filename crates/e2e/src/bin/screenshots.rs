//! `cargo xtask screenshots`: every view of the widget, light and dark, left-to-right (English)
//! and right-to-left (Arabic), on a 360px phone and a 1280px desktop window, as PNG files in
//! target/screenshots/ (`<width>-<locale>-<theme>-<view>.png`), driven exactly like the
//! journeys: a merchant page on another origin, the real server, the sandbox paying.

use std::path::PathBuf;
use std::time::Duration;

use e2e::{rfc3339_in, Browser, Ctx};
use fantoccini::Locator;
use serde_json::json;

const W: &str = "app-widget";

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots");
    std::fs::create_dir_all(&out).expect("target/screenshots");
    // Slow blocks keep the confirming screen up long enough to photograph.
    let ctx = Ctx::start(&[("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "6s")]).await;
    let b = ctx.browser().await;
    let mut failures = Vec::new();
    let mut count = 0;
    for width in [360, 1280] {
        if let Err(e) = b.client.set_window_size(width, 900).await {
            failures.push(format!("a {width}px window: {e}"));
            continue;
        }
        for locale in ["en", "ar"] {
            for theme in ["light", "dark"] {
                let shots = Shots {
                    ctx: &ctx,
                    b: &b,
                    out: &out,
                    width,
                    locale,
                    theme,
                };
                match shots.all().await {
                    Ok(n) => count += n,
                    Err(e) => failures.push(format!("{width}/{locale}/{theme}: {e}")),
                }
            }
        }
    }
    b.close().await;
    // Stops the server before the exit code is returned (process::exit would skip that).
    drop(ctx);
    println!("{count} screenshots in {}", out.display());
    if failures.is_empty() {
        std::process::ExitCode::SUCCESS
    } else {
        eprintln!("screenshots failed:\n  {}", failures.join("\n  "));
        std::process::ExitCode::FAILURE
    }
}

struct Shots<'a> {
    ctx: &'a Ctx,
    b: &'a Browser,
    out: &'a PathBuf,
    width: u32,
    locale: &'a str,
    theme: &'a str,
}

/// A FIXED_PRICE checkout of 25.00 USD named `name`, with a description and both links.
fn fixed(name: &str) -> serde_json::Value {
    json!({
        "name": name, "description": "Order 1234 · Blue T-shirt, size M",
        "type": "FIXED_PRICE", "fixedAmount": {"amount": "25.00", "currency": "USD"},
        "returnUrl": "https://merchant.example/thanks",
        "supportUrl": "https://merchant.example/help",
    })
}

impl Shots<'_> {
    async fn all(&self) -> Result<usize, String> {
        Ok(self.paid().await?
            + self.amount_form().await?
            + self.off_amount().await?
            + self.endings().await?)
    }

    /// Choose, pay, processing, success.
    async fn paid(&self) -> Result<usize, String> {
        let m = &self.ctx.merchant;
        let id = m.create_checkout(&fixed("Night Owl Store")).await;
        self.open(&id, "").await?;
        self.shot("choose").await?;
        self.b
            .click(W, "button.currency[data-currency=USDT][data-network=TRON]")
            .await?;
        self.b.wait_screen(W, "pay").await?;
        self.shot("pay").await?;
        m.pay_in_full(&id).await;
        self.b.wait_screen(W, "processing").await?;
        self.shot("processing").await?;
        self.b.wait_screen(W, "success").await?;
        self.shot("success").await?;
        Ok(4)
    }

    /// The amount form, with a refused amount.
    async fn amount_form(&self) -> Result<usize, String> {
        let id = self
            .ctx
            .merchant
            .create_checkout(&json!({
                "name": "Donation", "type": "SUGGESTED_FIXED_PRICE", "amountCurrency": "USD",
                "suggestedAmounts": ["5", "10", "25"], "minAmount": "5", "maxAmount": "500",
            }))
            .await;
        self.open(&id, "").await?;
        self.b.wait_screen(W, "choose").await?;
        self.b.type_into(W, "#cw-amount", "1").await?;
        self.b
            .click(W, "button.currency[data-currency=BTC]")
            .await?;
        self.b.wait_shadow_text(W, "#cw-amount-error").await?;
        self.shot("amount").await?;
        Ok(1)
    }

    /// Underpaid, then overpaid.
    async fn off_amount(&self) -> Result<usize, String> {
        let m = &self.ctx.merchant;
        for (view, factor) in [("underpaid", 1u128), ("overpaid", 4)] {
            let id = m.create_checkout(&fixed("Night Owl Store")).await;
            self.open(&id, "").await?;
            self.b
                .click(W, "button.currency[data-currency=ETH]")
                .await?;
            self.b.wait_screen(W, "pay").await?;
            let payment = m.active_payment(&id).await;
            let due = payment.payment.amount;
            let sent = protocol::Amount::from_units(due.units() * factor / 2, due.scale())
                .ok_or("amount")?;
            m.pay(&payment, sent).await;
            self.b.wait_screen(W, view).await?;
            self.shot(view).await?;
        }
        Ok(2)
    }

    /// Expired, cancelled, and an unreachable server.
    async fn endings(&self) -> Result<usize, String> {
        let m = &self.ctx.merchant;
        let mut short = fixed("Night Owl Store");
        short["expiresAt"] = json!(rfc3339_in(2));
        let id = m.create_checkout(&short).await;
        self.open(&id, "").await?;
        self.b.wait_screen(W, "expired").await?;
        self.shot("expired").await?;
        let id = m.create_checkout(&fixed("Night Owl Store")).await;
        m.cancel(&id).await;
        self.open(&id, "").await?;
        self.b.wait_screen(W, "cancelled").await?;
        self.shot("cancelled").await?;
        self.open("CCO-unreachable", " api-base=\"http://127.0.0.1:9\"")
            .await?;
        self.b.wait_screen(W, "error").await?;
        self.shot("error").await?;
        Ok(3)
    }

    async fn open(&self, id: &str, extra: &str) -> Result<(), String> {
        let background = if self.theme == "dark" {
            "#0d0f14"
        } else {
            "#f4f5f7"
        };
        let name = format!("shot-{}-{}-{}-{id}", self.width, self.locale, self.theme);
        let body = format!(
            "<div id=\"frame\" data-bg=\"{background}\"><app-widget id=\"{id}\" locale=\"{}\" theme=\"{}\"{extra}></app-widget></div>",
            self.locale, self.theme
        );
        let url = self.ctx.page(&name, &body);
        self.b.client.goto(&url).await.map_err(|e| e.to_string())?;
        self.b
            .eval(
                "document.body.style.background = arguments[0]; document.body.style.padding = '16px';",
                vec![json!(background)],
            )
            .await;
        Ok(())
    }

    async fn shot(&self, view: &str) -> Result<(), String> {
        // Let fonts and the QR settle, and the countdown tick once.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let frame = self
            .b
            .client
            .find(Locator::Css("#frame"))
            .await
            .map_err(|e| e.to_string())?;
        let png = frame.screenshot().await.map_err(|e| e.to_string())?;
        let file = self.out.join(format!(
            "{}-{}-{}-{view}.png",
            self.width, self.locale, self.theme
        ));
        std::fs::write(&file, png).map_err(|e| e.to_string())?;
        Ok(())
    }
}
