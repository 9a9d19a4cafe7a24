//! Persistence behind one small interface with two implementations: SQLite (`sqlite/`, the
//! default) and PostgreSQL (`postgres/`, `database_url`); routes and domain code do not know
//! which one runs, and `conformance/` checks that both answer alike.
//!
//! The interface is synchronous and called through [`Blocking::run`], which moves the work onto the
//! blocking thread pool: database calls never stall the async runtime. A state change is a
//! read-modify-write of one checkout inside one transaction ([`Store::modify_checkout`]): the
//! domain code mutates the record, the store writes the record, its payments, the change feed
//! rows, the merchant events they announce (decided by `domain::merchant_event`) and (for
//! webhooks) the inbound event together, or nothing.

mod blocking;
#[cfg(test)]
mod conformance;
pub mod error;
pub mod evm;
pub mod lease;
pub mod opening;
pub mod outbox;
pub mod postgres;
pub mod recheck;
pub mod schema_version;
pub mod sqlite;

pub use blocking::Blocking;

use protocol::CheckoutStatus;

use crate::domain::checkout::CheckoutRecord;
use crate::domain::error::DomainError;
use crate::domain::payment::Payment;
use crate::domain::spec::CheckoutSpec;
use crate::store::error::StoreResult;

/// A reusable widget key and the settings every checkout opened from it gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetRecord {
    pub key: String,
    pub external_id: Option<String>,
    pub spec: CheckoutSpec,
    pub created_at_ms: i64,
}

/// A provider webhook, stored under its event id.
#[derive(Debug, Clone)]
pub struct InboundEvent {
    pub provider: String,
    pub event_id: String,
    pub payment_ref: Option<String>,
    pub body: String,
    pub received_at_ms: i64,
}

#[derive(Debug, Clone, Default)]
pub struct ListQuery {
    pub limit: u32,
    /// Only checkouts older than this (created_at_ms, id): the opaque cursor, decoded.
    pub before: Option<(i64, String)>,
    pub status: Option<CheckoutStatus>,
}

#[derive(Debug)]
pub enum Modify {
    NotFound,
    /// The inbound event was stored before: nothing was done.
    DuplicateEvent,
    Applied {
        record: Box<CheckoutRecord>,
        changed: bool,
    },
}

/// The mutation run inside the transaction. Returning an error rolls everything back.
pub type Mutation<'a> = &'a mut dyn FnMut(&mut CheckoutRecord) -> Result<(), DomainError>;

pub trait Store: Send + Sync + 'static {
    /// A cheap query proving the database answers.
    fn ping(&self) -> StoreResult<()>;

    /// Inserts a new checkout. When its `client_order_id` is already taken, nothing is written
    /// and the existing checkout is returned with `false`.
    fn insert_checkout(&self, checkout: &CheckoutRecord) -> StoreResult<(CheckoutRecord, bool)>;

    fn checkout(&self, id: &str) -> StoreResult<Option<CheckoutRecord>>;

    /// Newest first.
    fn list_checkouts(&self, query: &ListQuery) -> StoreResult<Vec<CheckoutRecord>>;

    /// Every checkout opened from a widget key, oldest first.
    fn widget_checkouts(&self, key: &str) -> StoreResult<Vec<CheckoutRecord>>;

    /// Ids of NEW / WAITING_PAYMENT checkouts whose expiry has passed.
    fn expiry_candidates(&self, now_ms: i64, limit: u32) -> StoreResult<Vec<String>>;

    /// Loads checkout `id`, runs `mutation` on it and writes the result, all in one
    /// transaction. With `inbound`, the event is recorded in the same transaction, and a
    /// duplicate event id short-circuits to [`Modify::DuplicateEvent`].
    fn modify_checkout(
        &self,
        id: &str,
        inbound: Option<&InboundEvent>,
        mutation: Mutation<'_>,
    ) -> StoreResult<Modify>;

    /// Records an inbound event that concerns no known payment (so retries stop); returns
    /// false when it was already recorded.
    fn record_inbound_event(&self, event: &InboundEvent) -> StoreResult<bool>;

    fn inbound_event_seen(&self, provider: &str, event_id: &str) -> StoreResult<bool>;

    /// The payment a provider knows as `provider_ref`.
    fn payment_by_ref(&self, provider: &str, provider_ref: &str) -> StoreResult<Option<Payment>>;

    /// The checkout a payment id belongs to.
    fn checkout_of_payment(&self, payment_id: &str) -> StoreResult<Option<String>>;

    /// Inserts a widget unless its key exists; returns the stored one and whether it was new.
    fn insert_widget(&self, widget: &WidgetRecord) -> StoreResult<(WidgetRecord, bool)>;

    fn widget(&self, key: &str) -> StoreResult<Option<WidgetRecord>>;

    /// The merchant-notification outbox (rows are added by `modify_checkout`).
    fn outbox(&self) -> &dyn outbox::OutboxStore;

    /// When open payments are next re-read from their provider.
    fn rechecks(&self) -> &dyn recheck::RecheckStore;

    /// Payments being opened with their provider, before they are stored.
    fn openings(&self) -> &dyn opening::OpeningStore;

    /// What the EVM provider keeps of the chains it watches.
    fn evm(&self) -> &dyn evm::EvmStore;

    /// Turns shared by the instances on this database.
    fn leases(&self) -> &dyn lease::LeaseStore;

    /// The connection pool's use, for `/metrics` (all zero on SQLite, which has no pool).
    fn pool_use(&self) -> PoolUse;
}

/// How much of the store's connection pool is in use right now.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections the pool may open.
    pub max_size: usize,
    /// Connections open now.
    pub size: usize,
    /// Open connections not lent out.
    pub available: usize,
    /// Calls waiting for a connection.
    pub waiting: usize,
}

/// The store as the async code holds it.
pub type Db = Blocking<dyn Store>;

/// `<created_at_ms>_<id>`: the list cursor, opaque to callers.
pub fn encode_cursor(record: &CheckoutRecord) -> String {
    format!("{}_{}", record.created_at_ms, record.id)
}

pub fn decode_cursor(cursor: &str) -> Option<(i64, String)> {
    let (ms, id) = cursor.split_once('_')?;
    Some((ms.parse().ok()?, id.to_owned()))
}
