//! Journeys 1-6: the payer's paths through one checkout.

use e2e::{rfc3339_in, Ctx};
use serde_json::json;

use crate::coin;

const W: &str = "app-widget";

fn fixed_usd(name: &str, amount: &str) -> serde_json::Value {
    json!({
        "name": name,
        "type": "FIXED_PRICE",
        "fixedAmount": {"amount": amount, "currency": "USD"},
        "returnUrl": "https://merchant.example/thanks",
        "supportUrl": "https://merchant.example/help",
    })
}

/// Journey 1: FIXED_PRICE in USD, paid in full with USDT on TRON.
#[tokio::test]
async fn fixed_price_paid_in_full_with_usdt_on_tron() {
    // Slow blocks so the confirming screen is on long enough to be seen.
    let ctx = Ctx::start(&[("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "1s")]).await;
    let id = ctx
        .merchant
        .create_checkout(fixed_usd("Blue T-shirt", "25.00"))
        .await;
    let url = ctx.page("j1", &format!("<app-widget id=\"{id}\"></app-widget>"));
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.wait_screen(W, "choose").await?;
        b.click(W, &coin("USDT", "TRON")).await?;
        b.wait_screen(W, "pay").await?;
        let payment = ctx.merchant.active_payment(&id).await;
        let address = b.wait_shadow_text(W, ".address").await?;
        let expected = payment["address"].as_str().unwrap_or_default();
        if address.replace(char::is_whitespace, "") != expected {
            return Err(format!(
                "address shown `{address}`, payment has `{expected}`"
            ));
        }
        let amount = b.wait_shadow_text(W, ".pay .amount").await?;
        if !amount.contains("USDT") || !amount.contains("25") {
            return Err(format!("amount shown `{amount}`"));
        }
        b.wait_shadow_text(W, ".qr svg").await?;
        b.wait_shadow_text(W, ".warning").await?;
        let amount_due = payment["amount"].as_str().unwrap_or_default().to_owned();
        ctx.merchant
            .sandbox_pay(payment["id"].as_str().unwrap_or_default(), &amount_due)
            .await;
        b.wait_screen(W, "processing").await?;
        let confirmations = b.wait_shadow_text(W, ".confirmations").await?;
        if !confirmations.contains(" of ") {
            return Err(format!("confirmations shown as `{confirmations}`"));
        }
        b.wait_screen(W, "success").await?;
        b.wait_shadow_text(W, "a[part=return-link]").await?;
        b.expect_statuses(
            None,
            &["NEW", "WAITING_PAYMENT", "PENDING_PAYMENT", "SUCCESS"],
        )
        .await?;
        let last = b.last_detail().await;
        if last["id"] != id.as_str() || last["currency"] != "USDT" || last["network"] != "TRON" {
            return Err(format!("last event detail: {last}"));
        }
        Ok(())
    }
    .await;
    b.finish("j1_fixed_price", result).await;
}

/// Journey 2: NO_PRICE — invalid amounts are refused in the form, a valid one is paid.
#[tokio::test]
async fn no_price_validates_the_amount_then_pays() {
    let ctx = Ctx::start(&[]).await;
    let id = ctx
        .merchant
        .create_checkout(json!({
            "name": "Donation", "type": "NO_PRICE", "amountCurrency": "USD",
            "minAmount": "5", "maxAmount": "500",
        }))
        .await;
    let url = ctx.page("j2", &format!("<app-widget id=\"{id}\"></app-widget>"));
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.wait_screen(W, "choose").await?;
        for (typed, says) in [
            ("abc", "for example"),
            ("1", "minimum"),
            ("1000", "maximum"),
            ("5.555", "decimal"),
        ] {
            b.type_into(W, "#cw-amount", typed).await?;
            b.click(W, &coin("BTC", "BITCOIN")).await?;
            let message = b.wait_shadow_text(W, "#cw-amount-error").await?;
            if !message.to_lowercase().contains(says) {
                return Err(format!(
                    "typing `{typed}` says `{message}`, expected it to mention `{says}`"
                ));
            }
            if b.screen(W).await.as_deref() != Some("choose") {
                return Err(format!("`{typed}` was accepted"));
            }
        }
        b.type_into(W, "#cw-amount", "42.50").await?;
        b.click(W, &coin("BTC", "BITCOIN")).await?;
        b.wait_screen(W, "pay").await?;
        let payment = ctx.merchant.active_payment(&id).await;
        ctx.merchant
            .sandbox_pay(
                payment["id"].as_str().unwrap_or_default(),
                payment["amount"].as_str().unwrap_or_default(),
            )
            .await;
        b.wait_screen(W, "success").await?;
        b.expect_statuses(
            None,
            &["NEW", "WAITING_PAYMENT", "PENDING_PAYMENT", "SUCCESS"],
        )
        .await
    }
    .await;
    b.finish("j2_no_price", result).await;
}

/// Journey 3: an underpayment shows what is still due; paying it completes the checkout.
#[tokio::test]
async fn underpaid_then_the_remainder_completes_it() {
    let ctx = Ctx::start(&[]).await;
    let id = ctx
        .merchant
        .create_checkout(fixed_usd("Headphones", "80.00"))
        .await;
    let url = ctx.page("j3", &format!("<app-widget id=\"{id}\"></app-widget>"));
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.click(W, &coin("ETH", "ETHEREUM")).await?;
        b.wait_screen(W, "pay").await?;
        let payment = ctx.merchant.active_payment(&id).await;
        let payment_id = payment["id"].as_str().unwrap_or_default().to_owned();
        let due = protocol::Amount::parse(payment["amount"].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        let half = protocol::Amount::from_units(due.units() / 2, due.scale()).ok_or("half")?;
        ctx.merchant
            .sandbox_pay(&payment_id, &half.to_string())
            .await;
        b.wait_screen(W, "underpaid").await?;
        let remaining = b.wait_shadow_text(W, ".remaining").await?;
        if !remaining.contains("ETH") {
            return Err(format!("remaining shown as `{remaining}`"));
        }
        b.wait_shadow_text(W, ".outcome .qr svg").await?;
        let rest = due.checked_sub(half).ok_or("rest")?;
        ctx.merchant
            .sandbox_pay(&payment_id, &rest.to_string())
            .await;
        b.wait_screen(W, "success").await?;
        b.expect_statuses(
            None,
            &[
                "NEW",
                "WAITING_PAYMENT",
                "PENDING_PAYMENT",
                "CONFLICT",
                "PENDING_PAYMENT",
                "SUCCESS",
            ],
        )
        .await
    }
    .await;
    b.finish("j3_underpaid", result).await;
}

/// Journey 4: an overpayment needs the merchant; their decision shows live.
#[tokio::test]
async fn overpaid_then_the_merchant_resolves_it_live() {
    let ctx = Ctx::start(&[]).await;
    let id = ctx
        .merchant
        .create_checkout(fixed_usd("Lamp", "40.00"))
        .await;
    let url = ctx.page("j4", &format!("<app-widget id=\"{id}\"></app-widget>"));
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.click(W, &coin("LTC", "LITECOIN")).await?;
        b.wait_screen(W, "pay").await?;
        let payment = ctx.merchant.active_payment(&id).await;
        let due = protocol::Amount::parse(payment["amount"].as_str().unwrap_or_default())
            .map_err(|e| e.to_string())?;
        let double = due.checked_add(due).ok_or("double")?;
        ctx.merchant
            .sandbox_pay(
                payment["id"].as_str().unwrap_or_default(),
                &double.to_string(),
            )
            .await;
        b.wait_screen(W, "overpaid").await?;
        if b.last_detail().await["exception"] != "OVERPAID" {
            return Err(format!("last detail {}", b.last_detail().await));
        }
        ctx.merchant.resolve(&id, "MARK_PAID").await;
        b.wait_screen(W, "success").await?;
        b.expect_statuses(
            None,
            &[
                "NEW",
                "WAITING_PAYMENT",
                "PENDING_PAYMENT",
                "CONFLICT",
                "SUCCESS",
            ],
        )
        .await
    }
    .await;
    b.finish("j4_overpaid", result).await;
}

/// Journey 5: nothing paid in time -> EXPIRED; a late payment is shown and reported.
#[tokio::test]
async fn expiry_then_a_late_payment_is_recorded() {
    let ctx = Ctx::start(&[]).await;
    let mut body = fixed_usd("Ticket", "15.00");
    body["expiresAt"] = json!(rfc3339_in(6));
    let id = ctx.merchant.create_checkout(body).await;
    let url = ctx.page("j5", &format!("<app-widget id=\"{id}\"></app-widget>"));
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.click(W, &coin("BTC", "BITCOIN")).await?;
        b.wait_screen(W, "pay").await?;
        let payment = ctx.merchant.active_payment(&id).await;
        b.wait_screen(W, "expired").await?;
        ctx.merchant
            .sandbox_pay(
                payment["id"].as_str().unwrap_or_default(),
                payment["amount"].as_str().unwrap_or_default(),
            )
            .await;
        b.wait_screen(W, "paid-late").await?;
        b.expect_statuses(None, &["NEW", "WAITING_PAYMENT", "EXPIRED", "CONFLICT"])
            .await?;
        let last = b.last_detail().await;
        if last["exception"] != "PAID_LATE" || last["previousStatus"] != "EXPIRED" {
            return Err(format!("last detail {last}"));
        }
        Ok(())
    }
    .await;
    b.finish("j5_expiry", result).await;
}

/// Journey 6: switching coins shows the new payment; paying the old address is not lost.
#[tokio::test]
async fn switching_currency_keeps_the_old_payment_recorded() {
    let ctx = Ctx::start(&[]).await;
    let id = ctx
        .merchant
        .create_checkout(fixed_usd("Book", "12.00"))
        .await;
    let url = ctx.page("j6", &format!("<app-widget id=\"{id}\"></app-widget>"));
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.click(W, &coin("BTC", "BITCOIN")).await?;
        b.wait_screen(W, "pay").await?;
        let btc = ctx.merchant.active_payment(&id).await;
        b.click(W, "button[part=back]").await?;
        b.wait_screen(W, "choose").await?;
        b.click(W, &coin("ETH", "ETHEREUM")).await?;
        b.wait_screen(W, "pay").await?;
        let amount = b.wait_shadow_text(W, ".pay .amount").await?;
        if !amount.contains("ETH") {
            return Err(format!("after switching the widget shows `{amount}`"));
        }
        let eth = ctx.merchant.active_payment(&id).await;
        if eth["id"] == btc["id"] || eth["currency"] != "ETH" {
            return Err(format!("active payment after the switch: {eth}"));
        }
        // The payer's wallet still sends to the first address: the funds count.
        ctx.merchant
            .sandbox_pay(
                btc["id"].as_str().unwrap_or_default(),
                btc["amount"].as_str().unwrap_or_default(),
            )
            .await;
        b.wait_screen(W, "success").await?;
        let checkout = ctx.merchant.checkout(&id).await;
        let paid_btc = checkout["payments"]
            .as_array()
            .and_then(|p| p.iter().find(|p| p["id"] == btc["id"]).cloned())
            .ok_or("the BTC payment is missing from the merchant view")?;
        if paid_btc["amountPaid"] != btc["amount"] {
            return Err(format!(
                "the BTC payment records {}",
                paid_btc["amountPaid"]
            ));
        }
        b.expect_statuses(
            None,
            &["NEW", "WAITING_PAYMENT", "PENDING_PAYMENT", "SUCCESS"],
        )
        .await
    }
    .await;
    b.finish("j6_switch", result).await;
}
