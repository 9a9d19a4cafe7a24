//! Journey 17: behind nginx configured as the server's README tells operators, the whole payment
//! reaches the payer live: the widget's files, its requests and its live stream all pass the
//! proxy, and the stream is not held back (no poll was needed to see any change). The journeys
//! with two instances behind it (instances.rs) take the same steps and expect the same.

use e2e::steps::{bare_fixed_price, widget_tag, PAID};
use e2e::{Balancer, Ctx, Journey};
use merchant_client::requests::NewCheckout;

/// What the payer buys behind the proxy.
pub fn checkout() -> NewCheckout {
    bare_fixed_price("Behind a proxy", "30.00", "USD")
}

#[tokio::test]
async fn a_payment_behind_a_reverse_proxy_arrives_live() {
    let ctx = Ctx::start(&[]).await;
    let proxy = Balancer::start(&ctx.env, &[ctx.server.port]).await;
    let id = ctx.merchant.create_checkout(&checkout()).await;
    let url = ctx
        .site
        .page("j17", &proxy.widget_js(), &widget_tag(&id, ""), None);
    let origin = proxy.origin();
    let j = Journey::on_page(ctx, id, url).await;
    let result = paid_live_through(&j, &origin).await;
    j.finish("j17_proxy", result).await;
    drop(proxy);
}

/// The payer pays [`checkout`] in full with BTC on a page whose widget came from `origin` (the
/// proxy): every screen on the way and exactly the statuses of a payment in full, every
/// request through `origin`, and every change carried by the live stream (no poll).
pub async fn paid_live_through(j: &Journey, origin: &str) -> Result<(), String> {
    j.open().await?;
    j.pick("BTC", "BITCOIN").await?;
    let payment = j.active_payment().await;
    let address = j.expect_text(".address").await?;
    if address.replace(char::is_whitespace, "") != payment.payment.address {
        return Err(format!(
            "address shown `{address}`, payment has {payment:?}"
        ));
    }
    j.pay_in_full(&payment).await;
    j.expect_screen("processing").await?;
    j.expect_screen("success").await?;
    j.expect_statuses(&PAID).await?;
    let requests = j
        .browser
        .eval(
            "return window.__requests.map(r => (r.stream ? 'stream ' : '') + r.url);",
            vec![],
        )
        .await;
    let requests: Vec<String> = serde_json::from_value(requests).map_err(|e| e.to_string())?;
    let streams = requests.iter().filter(|r| r.starts_with("stream ")).count();
    let elsewhere = requests.iter().find(|r| !r.contains(origin));
    let polls = requests.iter().filter(|r| r.ends_with("/status")).count();
    match (streams, elsewhere, polls) {
        (0, _, _) => Err(format!("no live stream was opened: {requests:?}")),
        (_, Some(r), _) => Err(format!("a request bypassed the proxy: {r}")),
        (_, _, n) if n > 0 => Err(format!("{n} polls: the stream did not carry the changes")),
        _ => Ok(()),
    }
}
