//! Journey 12: axe-core finds nothing in any view, light or dark, and the whole journey works
//! with the keyboard alone.

use e2e::{rfc3339_in, Browser, Ctx};
use serde_json::json;

use crate::coin;

const W: &str = "app-widget";

async fn no_violations(b: &Browser, view: &str) -> Result<(), String> {
    let violations = b.axe(W).await?;
    if violations.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "axe-core in the `{view}` view:\n  {}",
            violations.join("\n  ")
        ))
    }
}

fn usd(name: &str) -> serde_json::Value {
    json!({
        "name": name, "type": "FIXED_PRICE", "fixedAmount": {"amount": "60.00", "currency": "USD"},
        "returnUrl": "https://merchant.example/thanks", "supportUrl": "https://merchant.example/help",
        "description": "Order 1234",
    })
}

#[tokio::test]
async fn every_view_passes_axe_in_light_and_dark() {
    let ctx = Ctx::start(&[("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "2s")]).await;
    let b = ctx.browser().await;
    let result = async {
        for theme in ["light", "dark"] {
            let id = ctx.merchant.create_checkout(usd(&format!("Axe {theme}"))).await;
            let url = ctx.page(
                &format!("j12-{theme}"),
                &format!("<app-widget id=\"{id}\" theme=\"{theme}\"></app-widget>"),
            );
            b.goto(&url).await?;
            b.wait_screen(W, "choose").await?;
            no_violations(&b, &format!("choose/{theme}")).await?;
            b.click(W, &coin("BTC", "BITCOIN")).await?;
            b.wait_screen(W, "pay").await?;
            no_violations(&b, &format!("pay/{theme}")).await?;
            let payment = ctx.merchant.active_payment(&id).await;
            let payment_id = payment["id"].as_str().unwrap_or_default().to_owned();
            let due = protocol::Amount::parse(payment["amount"].as_str().unwrap_or_default())
                .map_err(|e| e.to_string())?;
            let part = protocol::Amount::from_units(due.units() / 2, due.scale()).ok_or("half")?;
            ctx.merchant.sandbox_pay(&payment_id, &part.to_string()).await;
            b.wait_screen(W, "processing").await?;
            no_violations(&b, &format!("processing/{theme}")).await?;
            b.wait_screen(W, "underpaid").await?;
            no_violations(&b, &format!("underpaid/{theme}")).await?;
            let rest = due.checked_sub(part).ok_or("rest")?;
            ctx.merchant.sandbox_pay(&payment_id, &rest.to_string()).await;
            b.wait_screen(W, "success").await?;
            no_violations(&b, &format!("success/{theme}")).await?;

            let mut short = usd(&format!("Expiring {theme}"));
            short["expiresAt"] = json!(rfc3339_in(3));
            let expiring = ctx.merchant.create_checkout(short).await;
            let url = ctx.page(
                &format!("j12-exp-{theme}"),
                &format!("<app-widget id=\"{expiring}\" theme=\"{theme}\"></app-widget>"),
            );
            b.goto(&url).await?;
            b.wait_screen(W, "expired").await?;
            no_violations(&b, &format!("expired/{theme}")).await?;

            let url = ctx.page(
                &format!("j12-err-{theme}"),
                &format!("<app-widget id=\"CCO-x\" api-base=\"http://127.0.0.1:9\" theme=\"{theme}\"></app-widget>"),
            );
            b.goto(&url).await?;
            b.wait_screen(W, "error").await?;
            no_violations(&b, &format!("error/{theme}")).await?;
        }
        Ok(())
    }
    .await;
    b.finish("j12_axe", result).await;
}

#[tokio::test]
async fn the_whole_journey_works_with_the_keyboard_alone() {
    let ctx = Ctx::start(&[]).await;
    let id = ctx.merchant.create_checkout(usd("Keyboard")).await;
    let url = ctx.page(
        "j12-keys",
        &format!("<app-widget id=\"{id}\"></app-widget>"),
    );
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.wait_screen(W, "choose").await?;
        b.tab_to_and_activate(&coin("BTC", "BITCOIN")).await?;
        b.wait_screen(W, "pay").await?;
        b.tab_to_and_activate("button[aria-label='Copy address']")
            .await?;
        let copy = b
            .wait_shadow_text(W, "button[aria-label='Copy address']")
            .await?;
        if copy == "Copy" {
            // Give the confirmation a moment to appear before failing.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        let copy = b
            .wait_shadow_text(W, "button[aria-label='Copy address']")
            .await?;
        if copy == "Copy" {
            return Err("copying by keyboard was not confirmed".into());
        }
        b.tab_to_and_activate("button[part=back]").await?;
        b.wait_screen(W, "choose").await?;
        b.tab_to_and_activate(&coin("ETH", "ETHEREUM")).await?;
        b.wait_screen(W, "pay").await?;
        let payment = ctx.merchant.active_payment(&id).await;
        ctx.merchant
            .sandbox_pay(
                payment["id"].as_str().unwrap_or_default(),
                payment["amount"].as_str().unwrap_or_default(),
            )
            .await;
        b.wait_screen(W, "success").await?;
        // The way back to the merchant is reachable by keyboard too (not followed: it leaves).
        for _ in 0..20 {
            if b.focused_matches("a[part=return-link]").await {
                return Ok(());
            }
            let tab = fantoccini::key::Key::Tab
                .to_string()
                .chars()
                .next()
                .unwrap_or('\t');
            b.press(tab).await?;
        }
        Err("the return link cannot be reached with the Tab key".into())
    }
    .await;
    b.finish("j12_keyboard", result).await;
}
