//! Journeys 1-6: the payer's paths through one checkout.

use e2e::steps::{fixed_price, halves, no_price, HELP, PAID, WIDGET};
use e2e::{rfc3339_in, Ctx, Journey};
use merchant_client::requests::{NewCheckout, Resolution};

/// A USD order with the merchant's return and help links.
fn order(name: &str, amount: &str) -> NewCheckout {
    fixed_price(name, amount, "USD").support_url(HELP)
}

/// Journey 1: FIXED_PRICE in USD, paid in full with USDT on TRON.
#[tokio::test]
async fn fixed_price_paid_in_full_with_usdt_on_tron() {
    // Slow blocks so the confirming screen is on long enough to be seen.
    let env = [("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "1s")];
    let j = Journey::start(&env, "j1", &order("Blue T-shirt", "25.00")).await;
    let result = async {
        j.open_and_choose().await?;
        j.pick("USDT", "TRON").await?;
        let payment = j.active_payment().await;
        let address = j.expect_text(".address").await?;
        let expected = &payment.payment.address;
        if address.replace(char::is_whitespace, "") != *expected {
            return Err(format!(
                "address shown `{address}`, payment has `{expected}`"
            ));
        }
        let amount = j.expect_text(".pay .amount").await?;
        if !amount.contains("USDT") || !amount.contains("25") {
            return Err(format!("amount shown `{amount}`"));
        }
        j.expect_text(".qr svg").await?;
        j.expect_text(".warning").await?;
        j.pay_in_full(&payment).await;
        j.expect_screen("processing").await?;
        let confirmations = j.expect_text(".confirmations").await?;
        if !confirmations.contains(" of ") {
            return Err(format!("confirmations shown as `{confirmations}`"));
        }
        j.expect_screen("success").await?;
        j.expect_text("a[part=return-link]").await?;
        j.expect_statuses(&PAID).await?;
        let last = j.browser.last_detail().await;
        if last["id"] != j.id.as_str() || last["currency"] != "USDT" || last["network"] != "TRON" {
            return Err(format!("last event detail: {last}"));
        }
        Ok(())
    }
    .await;
    j.finish("j1_fixed_price", result).await;
}

/// Journey 2: NO_PRICE — invalid amounts are refused in the form, a valid one is paid. The coin
/// is clicked by script while the amount field keeps focus (as Safari's buttons leave it), the
/// case that once crashed the widget when the field's blur outlived the view; `finish` fails on
/// any uncaught error in the page.
#[tokio::test]
async fn no_price_validates_the_amount_then_pays() {
    let j = Journey::start(&[], "j2", &no_price("Donation", "USD", "5", "500")).await;
    let result = async {
        j.open_and_choose().await?;
        for (typed, says) in [
            ("abc", "for example"),
            ("1", "minimum"),
            ("1000", "maximum"),
            ("5.555", "decimal"),
        ] {
            j.type_amount(typed).await?;
            j.click_coin("BTC", "BITCOIN").await?;
            let message = j.expect_text("#cw-amount-error").await?;
            if !message.to_lowercase().contains(says) {
                return Err(format!(
                    "typing `{typed}` says `{message}`, expected it to mention `{says}`"
                ));
            }
            if j.browser.screen(WIDGET).await.as_deref() != Some("choose") {
                return Err(format!("`{typed}` was accepted"));
            }
        }
        j.type_amount("42.50").await?;
        j.pick("BTC", "BITCOIN").await?;
        let payment = j.active_payment().await;
        j.pay_in_full(&payment).await;
        j.expect_screen("success").await?;
        j.expect_statuses(&PAID).await
    }
    .await;
    j.finish("j2_no_price", result).await;
}

/// Journey 3: an underpayment shows what is still due; paying it completes the checkout.
#[tokio::test]
async fn underpaid_then_the_remainder_completes_it() {
    let j = Journey::start(&[], "j3", &order("Headphones", "80.00")).await;
    let result = async {
        j.open().await?;
        j.pick("ETH", "ETHEREUM").await?;
        let payment = j.active_payment().await;
        let (half, rest) = halves(payment.payment.amount)?;
        j.send(&payment, half).await;
        j.expect_screen("underpaid").await?;
        let remaining = j.expect_text(".remaining").await?;
        if !remaining.contains("ETH") {
            return Err(format!("remaining shown as `{remaining}`"));
        }
        j.expect_text(".outcome .qr svg").await?;
        j.send(&payment, rest).await;
        j.expect_screen("success").await?;
        j.expect_statuses(&[
            "NEW",
            "WAITING_PAYMENT",
            "PENDING_PAYMENT",
            "CONFLICT",
            "PENDING_PAYMENT",
            "SUCCESS",
        ])
        .await
    }
    .await;
    j.finish("j3_underpaid", result).await;
}

/// Journey 4: an overpayment needs the merchant; their decision shows live.
#[tokio::test]
async fn overpaid_then_the_merchant_resolves_it_live() {
    let j = Journey::start(&[], "j4", &order("Lamp", "40.00")).await;
    let result = async {
        j.open().await?;
        j.pick("LTC", "LITECOIN").await?;
        let payment = j.active_payment().await;
        let due = payment.payment.amount;
        let double = due.checked_add(due).ok_or("double")?;
        j.send(&payment, double).await;
        j.expect_screen("overpaid").await?;
        if j.browser.last_detail().await["exception"] != "OVERPAID" {
            return Err(format!("last detail {}", j.browser.last_detail().await));
        }
        j.ctx.merchant.resolve(&j.id, Resolution::MarkPaid).await;
        j.expect_screen("success").await?;
        j.expect_statuses(&[
            "NEW",
            "WAITING_PAYMENT",
            "PENDING_PAYMENT",
            "CONFLICT",
            "SUCCESS",
        ])
        .await
    }
    .await;
    j.finish("j4_overpaid", result).await;
}

/// Journey 5: nothing paid in time -> EXPIRED; a late payment is shown and reported.
#[tokio::test]
async fn expiry_then_a_late_payment_is_recorded() {
    let ctx = Ctx::start(&[]).await;
    // The six seconds count from the checkout's creation, once the server is up.
    let ticket = order("Ticket", "15.00").expires_at(&rfc3339_in(6));
    let j = Journey::on(ctx, "j5", &ticket).await;
    let result = async {
        j.open().await?;
        j.pick("BTC", "BITCOIN").await?;
        let payment = j.active_payment().await;
        j.expect_screen("expired").await?;
        j.pay_in_full(&payment).await;
        j.expect_screen("paid-late").await?;
        j.expect_statuses(&["NEW", "WAITING_PAYMENT", "EXPIRED", "CONFLICT"])
            .await?;
        let last = j.browser.last_detail().await;
        if last["exception"] != "PAID_LATE" || last["previousStatus"] != "EXPIRED" {
            return Err(format!("last detail {last}"));
        }
        Ok(())
    }
    .await;
    j.finish("j5_expiry", result).await;
}

/// Journey 6: switching coins shows the new payment; paying the old address is not lost.
#[tokio::test]
async fn switching_currency_keeps_the_old_payment_recorded() {
    let j = Journey::start(&[], "j6", &order("Book", "12.00")).await;
    let result = async {
        j.open().await?;
        j.pick("BTC", "BITCOIN").await?;
        let btc = j.active_payment().await;
        j.browser.click(WIDGET, "button[part=back]").await?;
        j.expect_screen("choose").await?;
        j.pick("ETH", "ETHEREUM").await?;
        let amount = j.expect_text(".pay .amount").await?;
        if !amount.contains("ETH") {
            return Err(format!("after switching the widget shows `{amount}`"));
        }
        let eth = j.active_payment().await;
        if eth.payment.id == btc.payment.id || eth.payment.currency != "ETH" {
            return Err(format!("active payment after the switch: {eth:?}"));
        }
        // The payer's wallet still sends to the first address: the funds count.
        j.pay_in_full(&btc).await;
        j.expect_screen("success").await?;
        let checkout = j.ctx.merchant.checkout(&j.id).await;
        let paid_btc = checkout
            .payment(&btc.payment.id)
            .ok_or("the BTC payment is missing from the merchant view")?;
        // Compared as the API writes them, digits and scale.
        if paid_btc.payment.amount_paid.to_string() != btc.payment.amount.to_string() {
            return Err(format!(
                "the BTC payment records {}",
                paid_btc.payment.amount_paid
            ));
        }
        j.expect_statuses(&PAID).await
    }
    .await;
    j.finish("j6_switch", result).await;
}
