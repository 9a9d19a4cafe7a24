use merchant_client::{calls, requests::CheckoutFilter};
use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn state_written_before_a_restart_is_served_after_it() {
    let mut app =
        spawn_app_with(|c| c.sandbox.block_interval = std::time::Duration::from_millis(150)).await;
    let done = app.fixed_checkout("25", "USD").await;
    let view = app.pick(&done, "BTC", "BITCOIN", None).await;
    app.pay(&payment_id(&view), &payment_amount(&view)).await;
    let before = app.wait_for_status(&done, "SUCCESS").await;

    // A payment still confirming when the server stops finishes after the restart: the
    // sandbox's queued notifications and its chain are in the database too.
    let in_flight = app.fixed_checkout("10", "USD").await;
    let flight_view = app.pick(&in_flight, "LTC", "LITECOIN", None).await;
    app.pay(&payment_id(&flight_view), &payment_amount(&flight_view))
        .await;
    let untouched = app.fixed_checkout("5", "EUR").await;

    app.restart().await;

    assert_eq!(app.status(&done).await, before);
    let merchant = app.checkout(&done).await;
    assert_eq!(
        merchant["payments"][0]["address"],
        view["payment"]["address"]
    );
    let (s, public) = app
        .public_get(&format!("/api/v1/public/checkouts/{untouched}"))
        .await;
    assert_eq!(
        (s, public["status"].as_str()),
        (StatusCode::OK, Some("NEW"))
    );
    app.wait_for_status(&in_flight, "SUCCESS").await;
    let (_, list) = app.send(calls::checkouts(&CheckoutFilter::default())).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 3);
}
