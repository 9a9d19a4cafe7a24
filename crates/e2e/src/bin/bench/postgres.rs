//! The figures on PostgreSQL (`BENCH_POSTGRES_URL`, a server the xtask starts): the status
//! route's throughput and the push latency with one instance, then with two instances on the
//! same database, and the push latency across instances: the sandbox's webhook applied by the
//! first instance, the event read on the second one's live stream (LISTEN/NOTIFY between them).
//!
//! Two instances are loaded directly, each by its own `wrk` with half the threads and
//! connections at the same time (the same 2 threads and 64 connections in total as one
//! instance gets), and their requests/s added up. Not through nginx: on the same two cores a
//! balancer in the path would be measured more than the instances (one more hop and process per
//! request, and the journeys' nginx opens a new upstream connection per request, which at these
//! rates would also run out of loopback ports); what two instances on one database cost or gain is
//! the question here, and a deployment's balancer is the operator's.

use std::path::Path;
use std::time::Duration;

use e2e::{free_port, Browser, Env, HostSite, Merchant};

use crate::floor::FloorSite;
use crate::pages::Pages;
use crate::server::{BenchServer, Launch, Relay};
use crate::{load, median, percentile, relay_config, Report, Target, LOAD_ROUNDS};

/// Samples of the push latency on one instance (one and two running).
const SAME_INSTANCE_SAMPLES: usize = 25;
/// Samples of the push latency across instances; 50 so that p99 means something.
const CROSS_INSTANCE_SAMPLES: usize = 50;
/// Issue 16: a change applied by one instance reaches the other's stream within this (p50).
const CROSS_INSTANCE_TARGET_MS: f64 = 100.0;

/// What the PostgreSQL figures run with.
pub struct Setting<'a> {
    pub env: &'a Env,
    pub site: &'a HostSite,
    pub floor: &'a FloorSite,
    /// The bench's own directory (target/bench), for the instances' configuration files.
    pub root: &'a Path,
    pub database_url: &'a str,
}

/// One instance, then two; a part that fails is reported and the next one still runs.
pub async fn figures(report: &mut Report, setting: &Setting<'_>) {
    eprintln!("bench: PostgreSQL, one instance: wrk and push latency ×{SAME_INSTANCE_SAMPLES}");
    if let Err(e) = one_instance(report, setting).await {
        report.fail("PostgreSQL, one instance", e);
    }
    eprintln!(
        "bench: PostgreSQL, two instances: wrk, push latency ×{SAME_INSTANCE_SAMPLES}, \
         across instances ×{CROSS_INSTANCE_SAMPLES}"
    );
    if let Err(e) = two_instances(report, setting).await {
        report.fail("PostgreSQL, two instances", e);
    }
}

/// The report's keys for one set-up (one or two instances).
struct Keys {
    status_rps: &'static str,
    status_p99: &'static str,
    push_p50: &'static str,
    push_p95: &'static str,
}

const ONE_INSTANCE: Keys = Keys {
    status_rps: "pg1_status_rps",
    status_p99: "pg1_status_p99_ms",
    push_p50: "pg1_push_latency_ms_p50",
    push_p95: "pg1_push_latency_ms_p95",
};

const TWO_INSTANCES: Keys = Keys {
    status_rps: "pg2_status_rps",
    status_p99: "pg2_status_p99_ms",
    push_p50: "pg2_push_latency_ms_p50",
    push_p95: "pg2_push_latency_ms_p95",
};

async fn one_instance(report: &mut Report, setting: &Setting<'_>) -> Result<(), String> {
    measure(report, setting, 1, &ONE_INSTANCE).await.map(drop)
}

async fn two_instances(report: &mut Report, setting: &Setting<'_>) -> Result<(), String> {
    let (servers, merchant, relay) = measure(report, setting, 2, &TWO_INSTANCES).await?;
    let cross = setting
        .push(&servers[1], &merchant, &relay, CROSS_INSTANCE_SAMPLES)
        .await?;
    report.add(
        "pg_push_cross_instance_ms_p50",
        percentile(&cross, 50.0),
        Target::AtMost(CROSS_INSTANCE_TARGET_MS),
    );
    report.add(
        "pg_push_cross_instance_ms_p99",
        percentile(&cross, 99.0),
        Target::None,
    );
    Ok(())
}

/// Starts `count` instances, measures the status route's throughput over all of them and the
/// push latency on the first, and returns them running for more. Every checkout is made and
/// paid through the first instance, which leads the sandbox.
async fn measure(
    report: &mut Report,
    setting: &Setting<'_>,
    count: usize,
    keys: &Keys,
) -> Result<(Vec<BenchServer>, Merchant, Relay), String> {
    let (servers, relay) = setting.start(&format!("pg{count}"), count).await?;
    let merchant = Merchant::new(&servers[0].origin());
    let (rps, p99) = status_load(&servers, &merchant).await?;
    report.add(keys.status_rps, rps, Target::None);
    report.add(keys.status_p99, p99, Target::None);
    let push = setting
        .push(&servers[0], &merchant, &relay, SAME_INSTANCE_SAMPLES)
        .await?;
    report.add(keys.push_p50, percentile(&push, 50.0), Target::None);
    report.add(keys.push_p95, percentile(&push, 95.0), Target::None);
    Ok((servers, merchant, relay))
}

impl Setting<'_> {
    /// `count` instances on the database, each with its own empty data directory; the
    /// sandbox's webhooks pass a relay (which notes when) to the first instance.
    async fn start(&self, name: &str, count: usize) -> Result<(Vec<BenchServer>, Relay), String> {
        let ports: Vec<u16> = (0..count).map(|_| free_port()).collect();
        let relay = Relay::start(ports[0]).await;
        let config = relay_config(&self.root.join(name), &relay)?;
        let mut servers = Vec::with_capacity(count);
        for port in ports {
            let launch = Launch {
                env: self.env,
                port,
                cors_origin: self.site.origin(),
                config: &config,
                database_url: Some(self.database_url),
            };
            servers.push(BenchServer::start(&launch).await?.0);
            // Only the instance leading the sandbox's chain sends its webhooks, woken by a
            // payment made on itself: the first one takes the lead before the next starts,
            // and the samples pay through it.
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        Ok((servers, relay))
    }

    /// Push latencies (as the SQLite figure: webhook handed over to `statusChanged` on the
    /// host page) with the widget and its live stream on `stream_on`.
    async fn push(
        &self,
        stream_on: &BenchServer,
        merchant: &Merchant,
        relay: &Relay,
        samples: usize,
    ) -> Result<Vec<f64>, String> {
        let pages = Pages {
            env: self.env,
            site: self.site,
            server_origin: stream_on.origin(),
            merchant,
            relay,
            floor: self.floor,
        };
        let browser = Browser::start(self.env).await;
        let result = pages.status_latency(&browser, samples, false).await;
        browser.close().await;
        result
    }
}

/// The status route's requests/s (all instances together) and 99th percentile in ms (the worst
/// instance's), measured like the SQLite figure: 1 s warm-up, then the medians of
/// [`LOAD_ROUNDS`] rounds of [`load::WRK_SECONDS`], on one fresh checkout.
async fn status_load(servers: &[BenchServer], merchant: &Merchant) -> Result<(f64, f64), String> {
    let id = merchant
        .create_fixed_checkout("Bench status on PostgreSQL", "25.00", "USD")
        .await;
    let urls: Vec<String> = servers
        .iter()
        .map(|s| format!("{}/api/v1/public/checkouts/{id}/status", s.origin()))
        .collect();
    tokio::task::spawn_blocking(move || {
        all_at_once(&urls, 1)?;
        let (mut rps, mut p99) = (vec![], vec![]);
        for _ in 0..LOAD_ROUNDS {
            let runs = all_at_once(&urls, load::WRK_SECONDS)?;
            rps.push(runs.iter().map(|r| r.rps).sum());
            p99.push(runs.iter().map(|r| r.p99_ms).fold(0.0, f64::max));
        }
        Ok((median(&rps), median(&p99)))
    })
    .await
    .map_err(|e| e.to_string())?
}

/// One `wrk` per URL, all running at the same time, sharing the generator's threads and
/// connections.
fn all_at_once(urls: &[String], seconds: u32) -> Result<Vec<load::WrkRun>, String> {
    let shares = u32::try_from(urls.len()).unwrap_or(1);
    std::thread::scope(|scope| {
        let runs: Vec<_> = urls
            .iter()
            .map(|url| scope.spawn(move || load::wrk_share(url, seconds, shares)))
            .collect();
        runs.into_iter()
            .map(|run| run.join().map_err(|_| "a wrk thread panicked".to_owned())?)
            .collect()
    })
}
