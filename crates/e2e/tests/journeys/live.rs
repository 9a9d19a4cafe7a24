//! Journeys 8 and 9: the truth reaches the payer without push, and through an outage.

use std::time::Duration;

use e2e::steps::{bare_fixed_price, widget_tag, PAID, WIDGET};
use e2e::{Ctx, Journey};
use merchant_client::requests::NewCheckout;

fn checkout(name: &str) -> NewCheckout {
    bare_fixed_price(name, "30.00", "USD")
}

/// Journey 8: with server-sent events unavailable, polling delivers every change, and showing the
/// tab again resyncs at once.
#[tokio::test]
async fn polling_delivers_every_change_without_server_sent_events() {
    let ctx = Ctx::start(&[("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "3s")]).await;
    let id = ctx.merchant.create_checkout(&checkout("Poll only")).await;
    let url = ctx.site.page_with(
        "j8",
        &ctx.server.widget_js(),
        "<script src=\"/no-event-source.js\"></script>",
        &widget_tag(&id, ""),
        None,
    );
    let j = Journey::on_page(ctx, id, url).await;
    let result = async {
        j.open().await?;
        j.pick("BTC", "BITCOIN").await?;
        let streams = j
            .browser
            .eval(
                "return window.__requests.filter(r => r.stream).length;",
                vec![],
            )
            .await;
        if streams != 0 {
            return Err(format!(
                "{streams} event streams opened though EventSource is gone"
            ));
        }
        let payment = j.active_payment().await;
        j.pay_in_full(&payment).await;
        j.expect_screen("processing").await?;
        // While confirming the widget polls every 5 s; a tab coming back must not wait for that.
        let before = j
            .browser
            .eval("return window.__requests.length;", vec![])
            .await;
        j.browser
            .eval(
                "document.dispatchEvent(new Event('visibilitychange'));",
                vec![],
            )
            .await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let after = j
            .browser
            .eval("return window.__requests.length;", vec![])
            .await;
        if after.as_u64() <= before.as_u64() {
            return Err("showing the tab did not trigger a resync".into());
        }
        j.expect_screen("success").await?;
        j.expect_statuses(&PAID).await
    }
    .await;
    j.finish("j8_polling", result).await;
}

/// Journey 9: the server goes away mid-payment; the widget says so (never a blank box), and
/// shows the true status once the server is back.
#[tokio::test]
async fn an_outage_shows_a_retry_state_and_recovers() {
    let mut j = Journey::start(&[], "j9", &checkout("Outage")).await;
    let result = async {
        j.open().await?;
        j.pick("USDC", "ETHEREUM").await?;
        let payment = j.active_payment().await;
        j.ctx.server.kill();
        j.expect_text(".banner").await?;
        if j.browser.screen(WIDGET).await.as_deref() != Some("pay") {
            return Err(format!(
                "during the outage the widget shows {:?}",
                j.browser.screen(WIDGET).await
            ));
        }
        j.ctx.server.restart().await;
        j.pay_in_full(&payment).await;
        j.expect_screen("success").await?;
        e2e::eventually(
            "the outage banner to go",
            Duration::from_secs(10),
            || async {
                j.browser
                    .shadow_text(WIDGET, ".banner")
                    .await
                    .is_none()
                    .then_some(())
            },
        )
        .await?;
        let statuses = j.browser.statuses(None).await;
        if statuses.first().map(String::as_str) != Some("NEW")
            || statuses.last().map(String::as_str) != Some("SUCCESS")
        {
            return Err(format!("statusChanged sequence {statuses:?}"));
        }
        Ok(())
    }
    .await;
    j.finish("j9_outage", result).await;
}
