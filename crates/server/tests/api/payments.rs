use std::time::Duration;

use merchant_client::{calls, requests::Resolution};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn fixed_price_in_bitcoin_happy_path() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    assert_eq!(view["status"], "WAITING_PAYMENT");
    let p = &view["payment"];
    assert!(p["id"].as_str().unwrap().starts_with("PAY-"));
    // 25 USD at the shipped 60000 USD/BTC, rounded up at 8 places.
    assert_eq!(p["amount"], "0.00041667");
    assert_eq!(p["amountUnits"], "41667");
    assert_eq!(p["amountPaid"], "0.00000000");
    assert_eq!(p["amountRemaining"], "0.00041667");
    assert_eq!(p["rate"], "60000.00");
    assert_eq!(p["fiat"], json!({"amount": "25.00", "currency": "USD"}));
    let address = p["address"].as_str().unwrap();
    // A sandbox payment is a test: on the test network, and it says so.
    assert!(address.starts_with("tb1q"), "{address}");
    assert_eq!(p["test"], true);
    assert_eq!(
        p["walletUri"],
        format!("bitcoin:{address}?amount=0.00041667")
    );
    assert_eq!(p["confirmationsRequired"], 2);
    // The wallet URI as a QR code for the widget to draw: the encoder's own modules.
    let qr: protocol::QrMatrix = serde_json::from_value(p["walletQr"].clone()).unwrap();
    let uri = p["walletUri"].as_str().unwrap();
    let code = qrcode::QrCode::with_error_correction_level(uri, qrcode::EcLevel::M).unwrap();
    assert_eq!(usize::from(qr.size), code.width());
    let dark: Vec<bool> = code
        .to_colors()
        .iter()
        .map(|c| *c == qrcode::Color::Dark)
        .collect();
    assert_eq!(qr.dark(), Some(dark));
    assert!(p["remainingWalletQr"].is_null(), "nothing paid yet");

    let (status, tx) = app.pay(&payment_id(&view), "0.00041667").await;
    assert_eq!(status, StatusCode::OK, "{tx}");
    assert!(tx["txid"].is_string());
    let done = app.wait_for_status(&id, "SUCCESS").await;
    assert_eq!(done["amountPaid"], "0.00041667");
    assert_eq!(done["confirmations"], 2);
    assert!(done["exception"].is_null());
    let merchant = app.checkout(&id).await;
    assert_eq!(merchant["payments"][0]["providerState"], "CONFIRMED");
    assert!(
        merchant["payments"][0]["walletQr"].is_null(),
        "payers' views only"
    );
    assert_eq!(merchant["payments"][0]["amountRemaining"], "0.00000000");
}

#[tokio::test]
async fn funds_seen_are_pending_until_confirmed() {
    // Slow blocks: the transaction stays in the mempool.
    let app = spawn_app_with(|c| c.sandbox.block_interval = Duration::from_secs(3600)).await;
    let id = app.fixed_checkout("10", "USD").await;
    let view = app.pick(&id, "USDT", "TRON", None).await;
    assert_eq!(view["payment"]["amount"], "10.000000");
    assert_eq!(view["payment"]["walletUri"], view["payment"]["address"]);
    app.pay(&payment_id(&view), "4").await;
    let pending = app.wait_for_status(&id, "PENDING_PAYMENT").await;
    assert_eq!(pending["amountPaid"], "4.000000");
    assert_eq!(pending["confirmations"], 0);
    let (_, public) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(public["payment"]["amountRemaining"], "6.000000");
    assert_eq!(
        public["payment"]["remainingWalletUri"],
        public["payment"]["address"]
    );
    // The remainder has its own QR code (a USDT on TRON URI is the bare address, so the same).
    assert!(public["payment"]["remainingWalletQr"]["modules"].is_string());
    assert_eq!(
        public["payment"]["remainingWalletQr"],
        public["payment"]["walletQr"]
    );
    // Funds are in flight: neither cancelling nor switching currency is allowed.
    let (s, body) = app.send(calls::cancel(&id)).await;
    assert_eq!(
        (s, error_of(&body).0.as_str()),
        (StatusCode::CONFLICT, "invalid_state")
    );
    let (s, body) = app.pick_raw(&id, "BTC", "BITCOIN", None).await;
    assert_eq!(
        (s, error_of(&body).0.as_str()),
        (StatusCode::CONFLICT, "funds_received")
    );
    // The same pick again is still answered with the same payment.
    let again = app.pick(&id, "USDT", "TRON", None).await;
    assert_eq!(payment_id(&again), payment_id(&view));
}

#[tokio::test]
async fn underpaid_then_topped_up_succeeds() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let pid = payment_id(&view);
    app.pay(&pid, "0.0004").await;
    let conflict = app.wait_for_status(&id, "CONFLICT").await;
    assert_eq!(conflict["exception"], "UNDERPAID");
    let (_, public) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(public["payment"]["amountRemaining"], "0.00001667");
    let uri = public["payment"]["remainingWalletUri"].as_str().unwrap();
    assert!(uri.ends_with("?amount=0.00001667"), "{uri}");
    app.pay(&pid, "0.00001667").await;
    let done = app.wait_for_status(&id, "SUCCESS").await;
    assert!(done["exception"].is_null());
    assert_eq!(done["amountPaid"], "0.00041667");
}

#[tokio::test]
async fn within_the_accepted_share_is_success() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("100", "USD").await;
    let view = app.pick(&id, "USDC", "ETHEREUM", None).await;
    assert_eq!(view["payment"]["amount"], "100.000000");
    let uri = view["payment"]["walletUri"].as_str().unwrap();
    let address = view["payment"]["address"].as_str().unwrap();
    assert_eq!(
        uri,
        format!("ethereum:0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48@11155111/transfer?address={address}&uint256=100000000")
    );
    // 99.5 % of the amount counts as paid.
    app.pay(&payment_id(&view), "99.5").await;
    app.wait_for_status(&id, "SUCCESS").await;
}

#[tokio::test]
async fn overpaid_is_a_conflict_the_merchant_can_mark_paid() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("30", "USD").await;
    let view = app.pick(&id, "ETH", "ETHEREUM", None).await;
    assert_eq!(view["payment"]["amount"], "0.010000000000000000");
    let address = view["payment"]["address"].as_str().unwrap();
    assert_eq!(
        view["payment"]["walletUri"],
        format!("ethereum:{address}@11155111?value=10000000000000000")
    );
    app.pay(&payment_id(&view), "0.02").await;
    let conflict = app.wait_for_status(&id, "CONFLICT").await;
    assert_eq!(conflict["exception"], "OVERPAID");
    let (s, resolved) = app.send(calls::resolve(&id, Resolution::MarkPaid)).await;
    assert_eq!(s, StatusCode::OK, "{resolved}");
    assert_eq!(resolved["status"], "SUCCESS");
    assert_eq!(resolved["exception"], "OVERPAID");
    // Resolving twice is refused: only a CONFLICT can be resolved.
    let (s, body) = app.send(calls::resolve(&id, Resolution::Close)).await;
    assert_eq!(
        (s, error_of(&body).0.as_str()),
        (StatusCode::CONFLICT, "invalid_state")
    );
}

#[tokio::test]
async fn underpaid_conflict_can_be_closed() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("10", "USD").await;
    let view = app.pick(&id, "TRX", "TRON", None).await;
    // 10 USD at 0.12 USD/TRX = 83.333334 TRX (rounded up).
    assert_eq!(view["payment"]["amount"], "83.333334");
    app.pay(&payment_id(&view), "50").await;
    app.wait_for_status(&id, "CONFLICT").await;
    let (s, body) = app.send(calls::resolve(&id, Resolution::Close)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert_eq!(
        (body["status"].as_str(), body["exception"].as_str()),
        (Some("CANCELLED"), Some("UNDERPAID"))
    );
    // Nothing moves a final status: more funds are recorded but the status stays.
    app.pay(&payment_id(&view), "40").await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let c = app.checkout(&id).await;
        if c["payments"][0]["amountPaid"] == "90.000000" {
            assert_eq!(c["status"], "CANCELLED");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "late funds not recorded: {c}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let (s, body) = app
        .merchant_post(
            &format!("/api/v1/checkouts/{id}/resolve"),
            json!({"action": "REFUND"}),
        )
        .await;
    assert_eq!(
        (s, error_of(&body).1.as_deref()),
        (StatusCode::BAD_REQUEST, Some("action"))
    );
}

#[tokio::test]
async fn expiry_without_funds_and_late_funds_within_the_window() {
    let app = spawn_app().await;
    let untouched = app
        .create_checkout(
            json!({"name": "x", "type": "FIXED_PRICE", "expiresAt": in_ms(600),
            "fixedAmount": {"amount": "10", "currency": "USD"}}),
        )
        .await;
    let late = app
        .create_checkout(
            json!({"name": "y", "type": "FIXED_PRICE", "expiresAt": in_ms(600),
            "fixedAmount": {"amount": "10", "currency": "USD"}}),
        )
        .await;
    let late_id = late["id"].as_str().unwrap();
    let view = app.pick(late_id, "LTC", "LITECOIN", None).await;
    assert!(view["payment"]["address"]
        .as_str()
        .unwrap()
        .starts_with("tltc1q"));
    assert!(view["payment"]["walletUri"]
        .as_str()
        .unwrap()
        .starts_with("litecoin:tltc1q"));

    let expired = app
        .wait_for_status(untouched["id"].as_str().unwrap(), "EXPIRED")
        .await;
    assert!(expired["exception"].is_null());
    app.wait_for_status(late_id, "EXPIRED").await;
    // An expired checkout takes no new pick.
    for (currency, network) in [("BTC", "BITCOIN"), ("LTC", "LITECOIN")] {
        let (s, body) = app.pick_raw(late_id, currency, network, None).await;
        assert_eq!(
            (s, error_of(&body).0.as_str()),
            (StatusCode::GONE, "checkout_expired")
        );
    }
    // Funds after expiry are never dropped: CONFLICT / PAID_LATE.
    let (s, _) = app.pay(&payment_id(&view), &payment_amount(&view)).await;
    assert_eq!(s, StatusCode::OK);
    let paid_late = app.wait_for_status(late_id, "CONFLICT").await;
    assert_eq!(paid_late["exception"], "PAID_LATE");
    let (s, body) = app
        .send(calls::resolve(late_id, Resolution::MarkPaid))
        .await;
    assert_eq!(
        (s, body["status"].as_str(), body["exception"].as_str()),
        (StatusCode::OK, Some("SUCCESS"), Some("PAID_LATE"))
    );
    // An expired checkout can still be cancelled by the merchant.
    let (s, body) = app
        .send(calls::cancel(untouched["id"].as_str().unwrap()))
        .await;
    assert_eq!(
        (s, body["status"].as_str()),
        (StatusCode::OK, Some("CANCELLED"))
    );
}

#[tokio::test]
async fn currency_switch_keeps_old_payments_and_repick_is_idempotent() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let btc = app.pick(&id, "BTC", "BITCOIN", None).await;
    let btc_again = app.pick(&id, "btc", "bitcoin", None).await;
    assert_eq!(payment_id(&btc), payment_id(&btc_again));
    assert_eq!(btc["version"], btc_again["version"]);

    let usdt = app.pick(&id, "USDT", "ETHEREUM", None).await;
    assert_ne!(payment_id(&usdt), payment_id(&btc));
    assert_eq!(usdt["payment"]["currency"], "USDT");
    assert!(usdt["version"].as_u64() > btc["version"].as_u64());
    let merchant = app.checkout(&id).await;
    let payments = merchant["payments"].as_array().unwrap();
    assert_eq!(payments.len(), 2);
    assert_eq!(
        (
            payments[0]["active"].as_bool(),
            payments[1]["active"].as_bool()
        ),
        (Some(false), Some(true))
    );
    // Distinct payments get distinct addresses.
    assert_ne!(payments[0]["address"], payments[1]["address"]);

    // Back to BTC while its quote holds: the same BTC payment again.
    let back = app.pick(&id, "BTC", "BITCOIN", None).await;
    assert_eq!(payment_id(&back), payment_id(&btc));

    // Funds on the switched-away USDT payment make it the active one and count.
    app.pay(&payment_id(&usdt), &payment_amount(&usdt)).await;
    let done = app.wait_for_status(&id, "SUCCESS").await;
    assert_eq!(done["paymentId"], json!(payment_id(&usdt)));
}

#[tokio::test]
async fn an_expired_rate_lock_gets_a_fresh_quote() {
    let app = spawn_app_with(|c| c.sandbox.rate_lock = Duration::from_millis(300)).await;
    let id = app.fixed_checkout("25", "USD").await;
    let first = app.pick(&id, "BTC", "BITCOIN", None).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    loop {
        let again = app.pick(&id, "BTC", "BITCOIN", None).await;
        if payment_id(&again) != payment_id(&first) {
            assert_eq!(again["payment"]["amount"], "0.00041667");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the quote never expired"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        app.checkout(&id).await["payments"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn payer_amounts_for_no_price_and_suggested_checkouts() {
    let app = spawn_app().await;
    let created = app
        .create_checkout(json!({"name": "Donation", "type": "NO_PRICE",
            "amountCurrency": "USD", "minAmount": "1", "maxAmount": "100"}))
        .await;
    let id = created["id"].as_str().unwrap();
    assert_eq!(
        (created["minAmount"].as_str(), created["maxAmount"].as_str()),
        (Some("1.00"), Some("100.00"))
    );
    for (amount, code) in [
        (None, "invalid_field"),
        (Some("0"), "invalid_amount"),
        (Some("100.01"), "amount_out_of_range"),
        (Some("0.99"), "amount_out_of_range"),
        (Some("1.001"), "invalid_amount"),
        (Some("-5"), "invalid_field"),
    ] {
        let (s, body) = app.pick_raw(id, "BTC", "BITCOIN", amount).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{amount:?}: {body}");
        assert_eq!(
            error_of(&body),
            (code.to_owned(), Some("amount".to_owned())),
            "{amount:?}"
        );
    }
    let ten = app.pick(id, "BTC", "BITCOIN", Some("10")).await;
    assert_eq!(
        ten["payment"]["fiat"],
        json!({"amount": "10.00", "currency": "USD"})
    );
    assert_eq!(ten["payment"]["amount"], "0.00016667");
    let ten_again = app.pick(id, "BTC", "BITCOIN", Some("10.00")).await;
    assert_eq!(payment_id(&ten), payment_id(&ten_again));
    let twenty = app.pick(id, "BTC", "BITCOIN", Some("20")).await;
    assert_ne!(payment_id(&ten), payment_id(&twenty));

    let suggested = app
        .create_checkout(json!({"name": "Tip", "type": "SUGGESTED_FIXED_PRICE",
            "amountCurrency": "EUR", "suggestedAmounts": ["5", "10"], "minAmount": "1", "maxAmount": "50"}))
        .await;
    assert_eq!(suggested["suggestedAmounts"], json!(["5.00", "10.00"]));
    let view = app
        .pick(
            suggested["id"].as_str().unwrap(),
            "ETH",
            "ETHEREUM",
            Some("7.50"),
        )
        .await;
    assert_eq!(
        view["payment"]["fiat"],
        json!({"amount": "7.50", "currency": "EUR"})
    );

    let fixed = app.fixed_checkout("25", "USD").await;
    let (s, body) = app.pick_raw(&fixed, "BTC", "BITCOIN", Some("25")).await;
    assert_eq!(
        (s, error_of(&body).1.as_deref()),
        (StatusCode::BAD_REQUEST, Some("amount"))
    );
}

#[tokio::test]
async fn a_price_in_crypto_is_paid_in_that_coin_without_conversion() {
    let app = spawn_app().await;
    let created = app
        .create_checkout(json!({"name": "x", "type": "FIXED_PRICE",
            "fixedAmount": {"amount": "0.01", "currency": "BTC"}}))
        .await;
    assert_eq!(created["currencies"].as_array().unwrap().len(), 1);
    let id = created["id"].as_str().unwrap();
    let view = app.pick(id, "BTC", "BITCOIN", None).await;
    assert_eq!(view["payment"]["amount"], "0.01000000");
    assert!(view["payment"]["rate"].is_null());
    let (s, body) = app.pick_raw(id, "ETH", "ETHEREUM", None).await;
    assert_eq!(
        (s, error_of(&body).0.as_str()),
        (StatusCode::BAD_REQUEST, "currency_not_offered")
    );
}

#[tokio::test]
async fn sandbox_pay_refuses_bad_input() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let pid = payment_id(&view);
    for (amount, code) in [("0", "invalid_amount"), ("0.000000001", "invalid_amount")] {
        let (s, body) = app.pay(&pid, amount).await;
        assert_eq!(
            (s, error_of(&body)),
            (
                StatusCode::BAD_REQUEST,
                (code.to_owned(), Some("amount".to_owned()))
            )
        );
    }
    let (s, body) = app.pay(&pid, "-1").await;
    assert_eq!(
        (s, error_of(&body).1.as_deref()),
        (StatusCode::BAD_REQUEST, Some("amount"))
    );
    let (s, _) = app
        .pay("PAY-00000000-0000-4000-8000-000000000000", "1")
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .raw_post(
            &format!("/api/v1/sandbox/payments/{pid}/pay"),
            false,
            r#"{"amount":"1"}"#,
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// A 25 USD checkout paid in BTC at 60 000 USD, whose funds arrive after the quote ended, the
/// rate then being `rate_then`: returns the checkout id once the payment is confirmed.
async fn paid_after_the_quote_ended(rate_then: &str) -> (TestApp, String) {
    let mut app = spawn_app_with(|c| {
        c.sandbox.rate_lock = Duration::from_millis(300);
        c.policy.quote_grace_ms = 0;
    })
    .await;
    let id = app.fixed_checkout("25", "USD").await;
    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    assert_eq!(view["payment"]["amount"], "0.00041667");
    tokio::time::sleep(Duration::from_millis(400)).await;
    app.config
        .sandbox
        .rates
        .get_mut("BTC")
        .unwrap()
        .insert("USD".into(), protocol::Amount::parse(rate_then).unwrap());
    app.restart().await;
    // The payer sends exactly what was asked, after the quote ended.
    app.pay(&payment_id(&view), "0.00041667").await;
    (app, id)
}

#[tokio::test]
async fn funds_after_the_quote_ended_are_revalued_and_a_fallen_coin_leaves_a_remainder() {
    let (app, id) = paid_after_the_quote_ended("50000.00").await;
    let status = app.wait_for_status(&id, "CONFLICT").await;
    assert_eq!(status["exception"], "UNDERPAID");
    let (_, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    // 25 USD at 50 000: 0.0005 BTC due now, 0.00008333 of it still to send.
    assert_eq!(view["payment"]["amount"], "0.00050000");
    assert_eq!(view["payment"]["amountRemaining"], "0.00008333");
}

#[tokio::test]
async fn funds_after_the_quote_ended_still_pay_when_the_coin_rose() {
    let (app, id) = paid_after_the_quote_ended("75000.00").await;
    app.wait_for_status(&id, "SUCCESS").await;
    let (_, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(view["payment"]["amount"], "0.00041667");
}

#[tokio::test]
async fn a_sandbox_checkout_says_it_is_a_test_before_any_coin_is_picked() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let (_, view) = app
        .public_get(&format!("/api/v1/public/checkouts/{id}"))
        .await;
    assert_eq!(view["test"], true, "{view}");
}

#[tokio::test]
async fn concurrent_identical_picks_open_one_payment() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    // Same coin, same terms, at once: one reserved payment id, stored once.
    let picks = (0..4).map(|_| app.pick_raw(&id, "BTC", "BITCOIN", None));
    let answers = futures_util::future::join_all(picks).await;
    let mut shown: Vec<String> = answers
        .iter()
        .filter(|(code, _)| *code == StatusCode::OK)
        .map(|(_, view)| payment_id(view))
        .collect();
    let codes: Vec<StatusCode> = answers.iter().map(|(code, _)| *code).collect();
    assert_eq!(
        codes,
        [StatusCode::OK; 4],
        "every twin is shown the payment"
    );
    shown.dedup();
    assert_eq!(shown.len(), 1);
    let merchant = app.checkout(&id).await;
    assert_eq!(merchant["payments"].as_array().unwrap().len(), 1);
    // The twins that found it stored changed nothing: one new version, as for one pick.
    assert_eq!(app.status(&id).await["version"], 2);
}
