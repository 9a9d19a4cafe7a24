//! Journeys 18 and 19: two server instances on one PostgreSQL database behind nginx round robin
//! (`e2e::instances`). The payer sees exactly what journey 17 shows with one instance behind
//! the same proxy, and a payment survives the death of the instance its live stream is on.

use std::time::Duration;

use e2e::instances::Instances;
use e2e::metrics::Scrape;
use e2e::steps::PAID;
use merchant_client::calls;
use merchant_client::requests::DeliveryFilter;
use merchant_client::views::Delivery;
use protocol::api::paths;
use serde_json::Value;

use crate::proxy::{checkout, paid_live_through};

/// Journey 18: journey 17's steps and expectations, with its requests, its live stream and the
/// sandbox's webhooks spread over two instances: a change applied on the instance without
/// the stream reached the payer live, through the database's notifications.
#[tokio::test]
async fn two_instances_behind_round_robin_show_the_payer_what_one_shows() {
    let instances = Instances::start(&[], "j18", &checkout()).await;
    let result = async {
        paid_live_through(&instances.j, &instances.balancer.origin()).await?;
        let scrapes = [instances.scrape(0).await?, instances.scrape(1).await?];
        spread_over_both(&scrapes)
    }
    .await;
    instances.finish("j18_instances", result).await;
}

/// Both instances answered the payer or the provider, and one that held no live stream applied
/// at least one of the sandbox's webhooks.
fn spread_over_both(scrapes: &[Scrape; 2]) -> Result<(), String> {
    let counts: Vec<(u64, u64, u64)> = scrapes
        .iter()
        .map(|s| {
            let streams = s.requests(paths::PUBLIC_EVENTS);
            (
                s.requests_but_health(),
                streams,
                s.sandbox_webhooks_applied(),
            )
        })
        .collect();
    eprintln!("requests, live streams, sandbox webhooks applied per instance: {counts:?}");
    if counts.iter().any(|(requests, _, _)| *requests == 0) {
        return Err(format!("an instance answered nothing: {counts:?}"));
    }
    match counts
        .iter()
        .any(|(_, streams, webhooks)| *streams == 0 && *webhooks > 0)
    {
        true => Ok(()),
        false => Err(format!(
            "no webhook was applied on an instance without the stream: {counts:?}"
        )),
    }
}

/// Journey 19: the payer has sent the whole amount and sees it confirming when the instance
/// holding their live stream is killed (SIGKILL). The widget reconnects through the balancer
/// to the other instance and shows the payment to its end with exactly the statuses of one
/// instance; the merchant receives every notification, in order.
///
/// The killed instance is the stream's, not necessarily the sandbox's leader, because that
/// death is the one the widget itself must get over (its stream breaks); the leader's failover
/// is in the API suite (`instances.rs`), and here the first instance leads (it started alone),
/// so it happens too whenever round robin put the stream on it. nginx logs the broken stream
/// and the refused connections on stderr as errors: those are this journey's expected traces.
#[tokio::test]
async fn a_payment_completes_when_the_instance_holding_the_stream_is_killed() {
    // Blocks of a second: the payment stays confirming (2 blocks) long enough to kill in.
    let env = [("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "1s")];
    let mut instances = Instances::start(&env, "j19", &checkout()).await;
    let result = async {
        instances.j.open().await?;
        instances.j.pick("BTC", "BITCOIN").await?;
        let holder = instances.stream_holder().await?;
        let payment = instances.j.active_payment().await;
        instances.j.pay_in_full(&payment).await;
        instances.j.expect_screen("processing").await?;
        instances.kill(holder);
        let killed = std::time::Instant::now();
        let before = instances.j.browser.statuses(None).await;
        if before.iter().any(|s| s == "SUCCESS") {
            return Err(format!("killed too late: the page had {before:?}"));
        }
        instances.j.expect_screen("success").await?;
        let recovered = killed.elapsed();
        instances.j.expect_statuses(&PAID).await?;
        eprintln!(
            "killed instance {holder} (the first leads the sandbox's chain); success shown \
             {recovered:?} later"
        );
        every_notification_arrived(&instances).await
    }
    .await;
    instances.finish("j19_instance_killed", result).await;
}

/// Every notification the server recorded for the checkout reached the merchant (repeats
/// allowed), first arrivals in version order, and the status changes are those of a payment
/// in full.
async fn every_notification_arrived(instances: &Instances) -> Result<(), String> {
    let filter = DeliveryFilter {
        checkout_id: Some(instances.j.id.clone()),
        ..DeliveryFilter::default()
    };
    let merchant = &instances.j.ctx.merchant;
    let (recorded, received) = e2e::eventually(
        "every notification to be delivered",
        Duration::from_secs(20),
        || async {
            let page = merchant.call(calls::deliveries(&filter)).await;
            let received = instances.notifications.received();
            let all_delivered = page.items.iter().all(|d| d.state == "DELIVERED");
            let all_received = page
                .items
                .iter()
                .all(|d| received.iter().any(|r| r["id"] == d.event_id.as_str()));
            let complete = page.next_cursor.is_none() && !page.items.is_empty();
            (complete && all_delivered && all_received).then_some((page.items, received))
        },
    )
    .await
    .map_err(|e| format!("{e}: {:?}", instances.notifications.received()))?;
    eprintln!(
        "the merchant received {} notifications for the {} the server recorded",
        received.len(),
        recorded.len()
    );
    in_version_order(&recorded, &received)?;
    let statuses = first_arrivals(&received)
        .into_iter()
        .filter(|r| r["type"] == "checkout.status_changed")
        .filter_map(|r| r["status"].as_str())
        .collect::<Vec<_>>();
    match statuses == PAID[1..] {
        true => Ok(()),
        false => Err(format!(
            "status notifications {statuses:?}, expected {:?}",
            &PAID[1..]
        )),
    }
}

/// Each notification once, at its first arrival.
fn first_arrivals(received: &[Value]) -> Vec<&Value> {
    let mut seen = Vec::new();
    for r in received {
        if !seen.iter().any(|s: &&Value| s["id"] == r["id"]) {
            seen.push(r);
        }
    }
    seen
}

/// The notifications first arrived in the order of the checkout's versions.
fn in_version_order(recorded: &[Delivery], received: &[Value]) -> Result<(), String> {
    let versions: Vec<u64> = first_arrivals(received)
        .iter()
        .filter_map(|r| recorded.iter().find(|d| r["id"] == d.event_id.as_str()))
        .map(|d| d.version)
        .collect();
    match versions.windows(2).all(|w| w[0] <= w[1]) {
        true => Ok(()),
        false => Err(format!("notifications arrived in versions {versions:?}")),
    }
}
