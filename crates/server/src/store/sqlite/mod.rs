//! The SQLite store: one file, WAL, one writer connection and a few readers.
//!
//! Writes are serialised through the writer (SQLite allows one writer at a time anyway, and
//! `BEGIN IMMEDIATE` makes the read-modify-write of a checkout atomic); reads use their own
//! connections so status polls do not queue behind writes. Each concern keeps its queries in
//! its own file; this one only hands them a connection.

mod changes;
mod checkouts;
pub mod codec;
#[cfg(test)]
mod conformance;
pub mod connection;
mod evm;
mod inbound;
mod migrations;
mod modify;
mod openings;
mod outbox;
mod payments;
mod recheck;
mod widgets;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::Connection;

use super::opening::OpeningStore;
use super::outbox::OutboxStore;
use super::{InboundEvent, ListQuery, Modify, Mutation, PoolUse, Store, WidgetRecord};
use crate::domain::checkout::CheckoutRecord;
use crate::domain::payment::Payment;
use crate::store::error::StoreResult;
use crate::store::recheck::RecheckStore;
use connection::lock;

const READERS: usize = 4;

pub struct SqliteStore {
    writer: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    next_reader: AtomicUsize,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> anyhow::Result<SqliteStore> {
        let mut writer = connection::open(path)?;
        migrations::migrate(&mut writer)?;
        let readers = (0..READERS)
            .map(|_| connection::open(path).map(Mutex::new))
            .collect::<anyhow::Result<_>>()?;
        Ok(SqliteStore {
            writer: Mutex::new(writer),
            readers,
            next_reader: AtomicUsize::new(0),
        })
    }

    fn reader(&self) -> MutexGuard<'_, Connection> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for i in 0..READERS {
            if let Ok(conn) = self.readers[(start + i) % READERS].try_lock() {
                return conn;
            }
        }
        lock(&self.readers[start % READERS])
    }

    fn writer(&self) -> MutexGuard<'_, Connection> {
        lock(&self.writer)
    }
}

impl Store for SqliteStore {
    fn ping(&self) -> StoreResult<()> {
        self.reader().query_row("SELECT 1", [], |_| Ok(()))?;
        Ok(())
    }

    fn insert_checkout(&self, checkout: &CheckoutRecord) -> StoreResult<(CheckoutRecord, bool)> {
        modify::insert(&mut self.writer(), checkout)
    }

    fn checkout(&self, id: &str) -> StoreResult<Option<CheckoutRecord>> {
        Ok(checkouts::load(&self.reader(), id)?)
    }

    fn list_checkouts(&self, query: &ListQuery) -> StoreResult<Vec<CheckoutRecord>> {
        Ok(checkouts::list(&self.reader(), query)?)
    }

    fn widget_checkouts(&self, key: &str) -> StoreResult<Vec<CheckoutRecord>> {
        Ok(checkouts::of_widget(&self.reader(), key)?)
    }

    fn expiry_candidates(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<String>> {
        Ok(checkouts::expiry_candidates(&self.reader(), now_ms, limit)?)
    }

    fn modify_checkout(
        &self,
        id: &str,
        inbound: Option<&InboundEvent>,
        mutation: Mutation<'_>,
    ) -> StoreResult<Modify> {
        modify::modify(&mut self.writer(), id, inbound, mutation)
    }

    fn record_inbound_event(&self, event: &InboundEvent) -> StoreResult<bool> {
        Ok(inbound::insert(&self.writer(), event)?)
    }

    fn inbound_event_seen(&self, provider: &str, event_id: &str) -> StoreResult<bool> {
        Ok(inbound::seen(&self.reader(), provider, event_id)?)
    }

    fn payment_by_ref(&self, provider: &str, provider_ref: &str) -> StoreResult<Option<Payment>> {
        Ok(payments::by_ref(&self.reader(), provider, provider_ref)?)
    }

    fn checkout_of_payment(&self, payment_id: &str) -> StoreResult<Option<String>> {
        Ok(payments::checkout_of(&self.reader(), payment_id)?)
    }

    fn insert_widget(&self, widget: &WidgetRecord) -> StoreResult<(WidgetRecord, bool)> {
        Ok(widgets::insert(&self.writer(), widget)?)
    }

    fn widget(&self, key: &str) -> StoreResult<Option<WidgetRecord>> {
        Ok(widgets::load(&self.reader(), key)?)
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

    /// No pool: one writer and one reader connection, held for the process's life.
    fn pool_use(&self) -> PoolUse {
        PoolUse::default()
    }
}

/// One instance owns a SQLite file, and its turns are ordered in the process
/// (`services::turns`): there is no other holder to wait for, and no write to pay for.
impl crate::store::lease::LeaseStore for SqliteStore {
    fn claim(
        &self,
        _key: &str,
        _holder: &crate::store::lease::Holder,
        _now_ms: i64,
        _until_ms: i64,
    ) -> StoreResult<bool> {
        Ok(true)
    }

    fn release(&self, _key: &str, _turn: &str) -> StoreResult<()> {
        Ok(())
    }
}
