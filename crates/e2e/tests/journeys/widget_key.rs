//! Journey 7: one reusable payment link, two payers, two checkouts.

use e2e::Ctx;
use serde_json::json;

use crate::coin;

const W: &str = "app-widget";
const KEY: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

#[tokio::test]
async fn two_payers_on_one_widget_key_each_get_their_own_checkout() {
    let ctx = Ctx::start(&[]).await;
    ctx.merchant
        .post(
            "/api/v1/widgets",
            &json!({
                "idempotencyKey": KEY, "externalId": "campaign-7", "name": "Support us",
                "type": "NO_PRICE", "amountCurrency": "USD", "minAmount": "1", "maxAmount": "1000",
            }),
        )
        .await;
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
            payer.wait_screen(W, "choose").await?;
            payer.type_into(W, "#cw-amount", amount).await?;
            payer.click(W, &coin(code, network)).await?;
            payer.wait_screen(W, "pay").await?;
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
            payer.wait_screen(W, "success").await?;
        }
        let widget = ctx.merchant.get(&format!("/api/v1/widgets/{KEY}")).await;
        let checkouts = widget["checkouts"].as_array().cloned().unwrap_or_default();
        let ids: Vec<_> = checkouts.iter().map(|c| c["id"].clone()).collect();
        if checkouts.len() != 2 || !ids.contains(&a["id"]) || !ids.contains(&b["id"]) {
            return Err(format!("the widget lists {ids:?}"));
        }
        if checkouts
            .iter()
            .any(|c| c["status"] != "SUCCESS" || c["externalId"] != "campaign-7")
        {
            return Err(format!("widget listing: {widget}"));
        }
        Ok(())
    }
    .await;
    second.close().await;
    first.finish("j7_widget_key", result).await;
}
