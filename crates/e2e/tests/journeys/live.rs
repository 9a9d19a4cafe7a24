//! Journeys 8 and 9: the truth reaches the payer without push, and through an outage.

use std::time::Duration;

use e2e::Ctx;
use serde_json::json;

use crate::coin;

const W: &str = "app-widget";

fn checkout(name: &str) -> serde_json::Value {
    json!({"name": name, "type": "FIXED_PRICE", "fixedAmount": {"amount": "30.00", "currency": "USD"}})
}

/// Journey 8: with server-sent events unavailable, polling delivers every change, and showing the
/// tab again resyncs at once.
#[tokio::test]
async fn polling_delivers_every_change_without_server_sent_events() {
    let ctx = Ctx::start(&[("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "3s")]).await;
    let id = ctx.merchant.create_checkout(checkout("Poll only")).await;
    let url = ctx.site.page_with(
        "j8",
        &ctx.server.widget_js(),
        "<script src=\"/no-event-source.js\"></script>",
        &format!("<app-widget id=\"{id}\"></app-widget>"),
        None,
    );
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.click(W, &coin("BTC", "BITCOIN")).await?;
        b.wait_screen(W, "pay").await?;
        let streams = b
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
        let payment = ctx.merchant.active_payment(&id).await;
        ctx.merchant
            .sandbox_pay(
                payment["id"].as_str().unwrap_or_default(),
                payment["amount"].as_str().unwrap_or_default(),
            )
            .await;
        b.wait_screen(W, "processing").await?;
        // While confirming the widget polls every 5 s; a tab coming back must not wait for that.
        let before = b.eval("return window.__requests.length;", vec![]).await;
        b.eval(
            "document.dispatchEvent(new Event('visibilitychange'));",
            vec![],
        )
        .await;
        tokio::time::sleep(Duration::from_millis(700)).await;
        let after = b.eval("return window.__requests.length;", vec![]).await;
        if after.as_u64() <= before.as_u64() {
            return Err("showing the tab did not trigger a resync".into());
        }
        b.wait_screen(W, "success").await?;
        b.expect_statuses(
            None,
            &["NEW", "WAITING_PAYMENT", "PENDING_PAYMENT", "SUCCESS"],
        )
        .await
    }
    .await;
    b.finish("j8_polling", result).await;
}

/// Journey 9: the server goes away mid-payment; the widget says so (never a blank box), and
/// shows the true status once the server is back.
#[tokio::test]
async fn an_outage_shows_a_retry_state_and_recovers() {
    let mut ctx = Ctx::start(&[]).await;
    let id = ctx.merchant.create_checkout(checkout("Outage")).await;
    let url = ctx.page("j9", &format!("<app-widget id=\"{id}\"></app-widget>"));
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.click(W, &coin("USDC", "ETHEREUM")).await?;
        b.wait_screen(W, "pay").await?;
        let payment = ctx.merchant.active_payment(&id).await;
        ctx.server.kill();
        b.wait_shadow_text(W, ".banner").await?;
        if b.screen(W).await.as_deref() != Some("pay") {
            return Err(format!(
                "during the outage the widget shows {:?}",
                b.screen(W).await
            ));
        }
        ctx.server.restart().await;
        ctx.merchant
            .sandbox_pay(
                payment["id"].as_str().unwrap_or_default(),
                payment["amount"].as_str().unwrap_or_default(),
            )
            .await;
        b.wait_screen(W, "success").await?;
        e2e::eventually(
            "the outage banner to go",
            Duration::from_secs(10),
            || async { b.shadow_text(W, ".banner").await.is_none().then_some(()) },
        )
        .await?;
        let statuses = b.statuses(None).await;
        if statuses.first().map(String::as_str) != Some("NEW")
            || statuses.last().map(String::as_str) != Some("SUCCESS")
        {
            return Err(format!("statusChanged sequence {statuses:?}"));
        }
        Ok(())
    }
    .await;
    b.finish("j9_outage", result).await;
}
