//! Two server instances on one PostgreSQL database behind nginx round robin, as an operator
//! runs them (crates/server/README.md, "Running several instances"): the payer's page loads the
//! widget through the balancer, the merchant and the sandbox provider's webhooks (`public_url`
//! is the balancer) reach the instances through it too, and the merchant's notifications go to
//! a receiver of the journey's own.

use std::time::Duration;

use merchant_client::requests::NewCheckout;

use crate::metrics::Scrape;
use crate::notifications::Notifications;
use crate::postgres::Database;
use crate::steps::widget_tag;
use crate::{free_port, Balancer, Ctx, Env, HostSite, Journey, Merchant, Server};

pub struct Instances {
    /// The payer's journey. Its `ctx.server` is the first instance; its merchant talks to the
    /// balancer.
    pub j: Journey,
    /// The second instance.
    pub second: Server,
    pub balancer: Balancer,
    pub notifications: Notifications,
    /// Each instance's `/metrics` port, first and second.
    metrics: [u16; 2],
    database: Database,
}

impl Instances {
    /// A fresh database, two instances on it (with `server_env`) behind the balancer, and
    /// `checkout` created through it and embedded in page `page`. The first instance starts
    /// alone, so it leads the sandbox's chain (it takes the advisory lock before the second
    /// exists).
    pub async fn start(server_env: &[(&str, &str)], page: &str, checkout: &NewCheckout) -> Self {
        let env = Env::from_env();
        let database = Database::create().await;
        let site = HostSite::start().await;
        let notifications = Notifications::start().await;
        let balancer_port = free_port();
        let metrics = [free_port(), free_port()];
        let mut shared: Vec<(&str, String)> = vec![
            ("CHECKOUT_DATABASE_URL", database.url.clone()),
            (
                "CHECKOUT_PUBLIC_URL",
                format!("http://127.0.0.1:{balancer_port}"),
            ),
        ];
        shared.extend(notifications.server_env());
        shared.extend(server_env.iter().map(|(k, v)| (*k, v.to_string())));
        let start = |metrics_port: u16| {
            let mut vars = shared.clone();
            vars.push((
                "CHECKOUT_METRICS_LISTEN",
                format!("127.0.0.1:{metrics_port}"),
            ));
            let (env, site) = (&env, &site);
            async move {
                let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
                Server::start_with(env, site, &vars).await
            }
        };
        let first = start(metrics[0]).await;
        let second = start(metrics[1]).await;
        let balancer = Balancer::start_on(&env, balancer_port, &[first.port, second.port]).await;
        let merchant = Merchant::new(&balancer.origin());
        let id = merchant.create_checkout(checkout).await;
        let url = site.page(page, &balancer.widget_js(), &widget_tag(&id, ""), None);
        let ctx = Ctx {
            env,
            site,
            server: first,
            merchant,
        };
        Instances {
            j: Journey::on_page(ctx, id, url).await,
            second,
            balancer,
            notifications,
            metrics,
            database,
        }
    }

    /// What instance `i` (0 or 1) has counted so far.
    pub async fn scrape(&self, i: usize) -> Result<Scrape, String> {
        Scrape::of(self.metrics[i]).await
    }

    /// The instance the payer's live stream is open on (waits for it to open).
    pub async fn stream_holder(&self) -> Result<usize, String> {
        crate::eventually(
            "the payer's live stream to be open on one instance",
            Duration::from_secs(10),
            || async {
                let (a, b) = (self.scrape(0).await.ok()?, self.scrape(1).await.ok()?);
                match (a.live_streams(), b.live_streams()) {
                    (1, 0) => Some(0),
                    (0, 1) => Some(1),
                    _ => None,
                }
            },
        )
        .await
    }

    /// Kills instance `i` (0 or 1) without ceremony, as a crash would.
    pub fn kill(&mut self, i: usize) {
        match i {
            0 => self.j.ctx.server.kill(),
            _ => self.second.kill(),
        }
    }

    /// Ends the journey (see [`Journey::finish`]): stops the servers first, so the database
    /// goes while nothing uses it, then keeps the page's evidence if a step failed.
    pub async fn finish(self, name: &str, result: Result<(), String>) {
        let Instances {
            mut j,
            mut second,
            database,
            ..
        } = self;
        j.ctx.server.kill();
        second.kill();
        database.remove().await;
        j.finish(name, result).await;
    }
}
