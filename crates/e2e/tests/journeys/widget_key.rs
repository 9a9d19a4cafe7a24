//! Journey 7: one reusable payment link, two payers, two checkouts.

use e2e::steps::{self, WIDGET};
use e2e::Ctx;
use merchant_client::requests::{Details, NewWidget};
use protocol::CheckoutStatus;
use serde_json::Value;

const KEY: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

fn campaign() -> NewWidget {
    let mut details = Details::no_price("Support us", "USD");
    details.min_amount = Some(steps::amount("1"));
    details.max_amount = Some(steps::amount("1000"));
    NewWidget {
        idempotency_key: KEY.to_owned(),
        external_id: Some("campaign-7".to_owned()),
        details,
    }
}

#[tokio::test]
async fn two_payers_on_one_widget_key_each_get_their_own_checkout() {
    let ctx = Ctx::start(&[]).await;
    ctx.merchant.create_widget(&campaign()).await;
    let url = ctx.page(
        "j7",
        &format!("<app-widget widget-key=\"{KEY}\"></app-widget>"),
    );
    let first = ctx.browser().await;
    let second = ctx.browser().await;
    let result = async {
        for (payer, amount, (code, network)) in [
            (&first, "10", ("BTC", "BITCOIN")),
            (&second, "20", ("ETH", "ETHEREUM")),
        ] {
            payer.goto(&url).await?;
            payer.wait_screen(WIDGET, "choose").await?;
            payer.type_into(WIDGET, "#cw-amount", amount).await?;
            payer.pick(WIDGET, code, network).await?;
        }
        let (a, b) = (first.last_detail().await, second.last_detail().await);
        if a["id"] == b["id"] {
            return Err(format!("both payers got checkout {}", a["id"]));
        }
        for (payer, detail) in [(&first, &a), (&second, &b)] {
            ctx.merchant
                .sandbox_pay(
                    detail["paymentId"].as_str().unwrap_or_default(),
                    detail["amount"].as_str().unwrap_or_default(),
                )
                .await;
            payer.wait_screen(WIDGET, "success").await?;
        }
        let widget = ctx.merchant.widget(KEY).await;
        let ids: Vec<&str> = widget
            .checkouts
            .iter()
            .map(|c| c.checkout.id.as_str())
            .collect();
        let listed = |detail: &Value| detail["id"].as_str().is_some_and(|id| ids.contains(&id));
        if widget.checkouts.len() != 2 || !listed(&a) || !listed(&b) {
            return Err(format!("the widget lists {ids:?}"));
        }
        if widget.checkouts.iter().any(|c| {
            c.checkout.status != CheckoutStatus::Success
                || c.external_id.as_deref() != Some("campaign-7")
        }) {
            return Err(format!("widget listing: {widget:?}"));
        }
        Ok(())
    }
    .await;
    second.close().await;
    first.finish("j7_widget_key", result).await;
}

/// Journey 7b: a payer who reloads the page of a payment link mid-payment finds the checkout
/// they were paying (not a fresh one); once it is paid, the next visit starts afresh.
#[tokio::test]
async fn a_payer_who_reloads_a_payment_link_finds_the_checkout_they_were_paying() {
    let ctx = Ctx::start(&[]).await;
    ctx.merchant.create_widget(&campaign()).await;
    let url = ctx.page(
        "j7b",
        &format!("<app-widget widget-key=\"{KEY}\"></app-widget>"),
    );
    let payer = ctx.browser().await;
    let result = async {
        payer.goto(&url).await?;
        payer.wait_screen(WIDGET, "choose").await?;
        payer.type_into(WIDGET, "#cw-amount", "15").await?;
        payer.pick(WIDGET, "BTC", "BITCOIN").await?;
        let paying = payer.last_detail().await;

        payer.goto(&url).await?;
        payer.wait_screen(WIDGET, "pay").await?;
        let resumed = payer.last_detail().await;
        if resumed["id"] != paying["id"] || resumed["paymentId"] != paying["paymentId"] {
            return Err(format!("reloaded into {resumed}, was paying {paying}"));
        }

        ctx.merchant
            .sandbox_pay(
                paying["paymentId"].as_str().unwrap_or_default(),
                paying["amount"].as_str().unwrap_or_default(),
            )
            .await;
        payer.wait_screen(WIDGET, "success").await?;
        payer.goto(&url).await?;
        payer.wait_screen(WIDGET, "choose").await?;
        let fresh = payer.last_detail().await;
        if fresh["id"] == paying["id"] {
            return Err("a paid checkout was shown again instead of a fresh one".into());
        }
        let opened = ctx.merchant.widget(KEY).await.checkouts.len();
        if opened != 2 {
            return Err(format!(
                "{opened} checkouts opened for two visits and a reload"
            ));
        }
        Ok(())
    }
    .await;
    payer.finish("j7b_reload", result).await;
}
