//! Journey 12: axe-core finds nothing in any view, light or dark, and the whole journey works
//! with the keyboard alone.

use e2e::steps::{coin, fixed_price, halves, widget_tag, HELP, WIDGET};
use e2e::{rfc3339_in, Browser, Ctx, Journey};
use merchant_client::requests::NewCheckout;

async fn no_violations(b: &Browser, view: &str) -> Result<(), String> {
    let violations = b.axe(WIDGET).await?;
    if violations.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "axe-core in the `{view}` view:\n  {}",
            violations.join("\n  ")
        ))
    }
}

fn usd(name: &str) -> NewCheckout {
    fixed_price(name, "60.00", "USD")
        .support_url(HELP)
        .description("Order 1234")
}

#[tokio::test]
async fn every_view_passes_axe_in_light_and_dark() {
    let ctx = Ctx::start(&[("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "2s")]).await;
    let b = ctx.browser().await;
    let result = async {
        for theme in ["light", "dark"] {
            let themed = format!("theme=\"{theme}\"");
            let (id, url) = ctx
                .checkout_page(
                    &format!("j12-{theme}"),
                    &usd(&format!("Axe {theme}")),
                    &themed,
                )
                .await;
            b.goto(&url).await?;
            b.wait_screen(WIDGET, "choose").await?;
            no_violations(&b, &format!("choose/{theme}")).await?;
            b.pick(WIDGET, "BTC", "BITCOIN").await?;
            no_violations(&b, &format!("pay/{theme}")).await?;
            let payment = ctx.merchant.active_payment(&id).await;
            let (part, rest) = halves(payment.payment.amount)?;
            ctx.merchant.pay(&payment, part).await;
            b.wait_screen(WIDGET, "processing").await?;
            no_violations(&b, &format!("processing/{theme}")).await?;
            b.wait_screen(WIDGET, "underpaid").await?;
            no_violations(&b, &format!("underpaid/{theme}")).await?;
            ctx.merchant.pay(&payment, rest).await;
            b.wait_screen(WIDGET, "success").await?;
            no_violations(&b, &format!("success/{theme}")).await?;

            let short = usd(&format!("Expiring {theme}")).expires_at(&rfc3339_in(3));
            let (_, url) = ctx
                .checkout_page(&format!("j12-exp-{theme}"), &short, &themed)
                .await;
            b.goto(&url).await?;
            b.wait_screen(WIDGET, "expired").await?;
            no_violations(&b, &format!("expired/{theme}")).await?;

            let url = ctx.page(
                &format!("j12-err-{theme}"),
                &widget_tag(
                    "CCO-x",
                    &format!("api-base=\"http://127.0.0.1:9\" {themed}"),
                ),
            );
            b.goto(&url).await?;
            b.wait_screen(WIDGET, "error").await?;
            no_violations(&b, &format!("error/{theme}")).await?;
        }
        Ok(())
    }
    .await;
    b.finish("j12_axe", result).await;
}

#[tokio::test]
async fn the_whole_journey_works_with_the_keyboard_alone() {
    let j = Journey::start(&[], "j12-keys", &usd("Keyboard")).await;
    let b = &j.browser;
    let result = async {
        j.open_and_choose().await?;
        b.tab_to_and_activate(&coin("BTC", "BITCOIN")).await?;
        j.expect_screen("pay").await?;
        b.tab_to_and_activate("button[aria-label='Copy address']")
            .await?;
        let copy = j.expect_text("button[aria-label='Copy address']").await?;
        if copy == "Copy" {
            // Give the confirmation a moment to appear before failing.
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        let copy = j.expect_text("button[aria-label='Copy address']").await?;
        if copy == "Copy" {
            return Err("copying by keyboard was not confirmed".into());
        }
        b.tab_to_and_activate("button[part=back]").await?;
        j.expect_screen("choose").await?;
        b.tab_to_and_activate(&coin("ETH", "ETHEREUM")).await?;
        j.expect_screen("pay").await?;
        let payment = j.active_payment().await;
        j.pay_in_full(&payment).await;
        j.expect_screen("success").await?;
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
    j.finish("j12_keyboard", result).await;
}
