//! The PostgreSQL store: the checkouts in a database several server instances can share
//! (`database_url`), behind the same [`Store`] interface as SQLite.
//!
//! The driver is tokio-postgres with a deadpool pool (why: crates/server/README.md). The
//! interface stays synchronous, as for SQLite: every call already runs on the blocking pool
//! ([`crate::store::Blocking`]), and there each method drives its queries to the end with
//! `Handle::block_on`. Making the trait async instead would change every caller and SQLite's
//! store for no gain: SQLite's calls block either way, and a blocking-pool thread waiting on
//! PostgreSQL costs no more than one waiting on SQLite's lock.

mod changes;
mod checkouts;
mod codec;
#[cfg(test)]
pub(crate) mod conformance;
mod connection;
mod evm;
mod inbound;
pub mod leader;
mod leases;
pub mod listen;
pub mod migrations;
mod modify;
mod openings;
mod outbox;
mod payments;
mod recheck;
pub mod scratch;
mod widgets;

use anyhow::Context;
use deadpool_postgres::{Client, Pool};
use tokio::runtime::Handle;

use super::opening::OpeningStore;
use super::outbox::OutboxStore;
use super::recheck::RecheckStore;
use super::{InboundEvent, ListQuery, Modify, Mutation, PoolUse, Store, WidgetRecord};
use crate::config::Secret;
use crate::domain::checkout::CheckoutRecord;
use crate::domain::payment::Payment;
use crate::store::error::{StoreError, StoreResult};

pub struct PostgresStore {
    pool: Pool,
    /// The runtime the pool's connections live on; blocking-pool threads drive calls on it.
    runtime: Handle,
}

impl PostgresStore {
    /// Connects to `url` and brings the schema up to date. Runs on the async runtime, which
    /// the store's calls use from then on.
    pub async fn open(url: &Secret) -> anyhow::Result<PostgresStore> {
        let pool = connection::pool(url)?;
        let mut client = pool
            .get()
            .await
            .context("connecting to the PostgreSQL database at database_url")?;
        migrations::migrate(&mut client, crate::domain::now_ms())
            .await
            .context("migrating the PostgreSQL database")?;
        Ok(PostgresStore {
            pool,
            runtime: Handle::current(),
        })
    }

    /// Runs `work` with a pooled connection, blocking this (blocking-pool) thread until done.
    /// The sandbox's ledger uses it too (`providers/sandbox/ledger/postgres.rs`).
    pub(crate) fn run<T>(
        &self,
        work: impl AsyncFnOnce(&mut Client) -> StoreResult<T>,
    ) -> StoreResult<T> {
        self.runtime.block_on(async {
            let mut client = self.pool.get().await.map_err(|e| {
                StoreError::Database(anyhow::anyhow!("no database connection: {e}"))
            })?;
            work(&mut client).await
        })
    }
}

impl Store for PostgresStore {
    fn ping(&self) -> StoreResult<()> {
        self.run(async |c| {
            c.simple_query("SELECT 1").await?;
            Ok(())
        })
    }

    fn insert_checkout(&self, checkout: &CheckoutRecord) -> StoreResult<(CheckoutRecord, bool)> {
        self.run(async |c| modify::insert(c, checkout).await)
    }

    fn checkout(&self, id: &str) -> StoreResult<Option<CheckoutRecord>> {
        self.run(async |c| checkouts::load(&*c, id, false).await)
    }

    fn list_checkouts(&self, query: &ListQuery) -> StoreResult<Vec<CheckoutRecord>> {
        self.run(async |c| checkouts::list(&*c, query).await)
    }

    fn widget_checkouts(&self, key: &str) -> StoreResult<Vec<CheckoutRecord>> {
        self.run(async |c| checkouts::of_widget(&*c, key).await)
    }

    fn expiry_candidates(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<String>> {
        self.run(async |c| checkouts::expiry_candidates(&*c, now_ms, limit).await)
    }

    fn modify_checkout(
        &self,
        id: &str,
        inbound: Option<&InboundEvent>,
        mutation: Mutation<'_>,
    ) -> StoreResult<Modify> {
        self.run(async |c| modify::modify(c, id, inbound, mutation).await)
    }

    fn record_inbound_event(&self, event: &InboundEvent) -> StoreResult<bool> {
        self.run(async |c| inbound::insert(&*c, event).await)
    }

    fn inbound_event_seen(&self, provider: &str, event_id: &str) -> StoreResult<bool> {
        self.run(async |c| inbound::seen(&*c, provider, event_id).await)
    }

    fn payment_by_ref(&self, provider: &str, provider_ref: &str) -> StoreResult<Option<Payment>> {
        self.run(async |c| payments::by_ref(&*c, provider, provider_ref).await)
    }

    fn checkout_of_payment(&self, payment_id: &str) -> StoreResult<Option<String>> {
        self.run(async |c| payments::checkout_of(&*c, payment_id).await)
    }

    fn insert_widget(&self, widget: &WidgetRecord) -> StoreResult<(WidgetRecord, bool)> {
        self.run(async |c| widgets::insert(&*c, widget).await)
    }

    fn widget(&self, key: &str) -> StoreResult<Option<WidgetRecord>> {
        self.run(async |c| widgets::load(&*c, key).await)
    }

    fn outbox(&self) -> &dyn OutboxStore {
        self
    }

    fn rechecks(&self) -> &dyn RecheckStore {
        self
    }

    fn openings(&self) -> &dyn OpeningStore {
        self
    }

    fn leases(&self) -> &dyn crate::store::lease::LeaseStore {
        self
    }

    fn evm(&self) -> &dyn crate::store::evm::EvmStore {
        self
    }

    fn pool_use(&self) -> PoolUse {
        let s = self.pool.status();
        PoolUse {
            max_size: s.max_size,
            size: s.size,
            available: s.available,
            waiting: s.waiting,
        }
    }
}
