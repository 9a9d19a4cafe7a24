//! Persistence behind one small interface, so PostgreSQL (several server instances) can replace
//! SQLite without touching routes or domain code.
//!
//! The interface is synchronous and called through [`Db::run`], which moves the work onto the
//! blocking thread pool: database calls never stall the async runtime. A state change is a
//! read-modify-write of one checkout inside one transaction ([`Store::modify_checkout`]): the
//! domain code mutates the record, the store writes the record, its payments, the change feed
//! rows and (for webhooks) the inbound event together, or nothing.

pub mod outbox;
pub mod sqlite;

use std::sync::Arc;

use protocol::{Amount, CheckoutStatus};

use crate::domain::checkout::CheckoutRecord;
use crate::domain::spec::CheckoutSpec;
use crate::error::{AppError, AppResult};

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
pub type Mutation<'a> = &'a mut dyn FnMut(&mut CheckoutRecord) -> AppResult<()>;

pub trait Store: Send + Sync + 'static {
    /// A cheap query proving the database answers.
    fn ping(&self) -> AppResult<()>;

    /// Inserts a new checkout. When its `client_order_id` is already taken, nothing is written
    /// and the existing checkout is returned with `false`.
    fn insert_checkout(&self, checkout: &CheckoutRecord) -> AppResult<(CheckoutRecord, bool)>;

    fn checkout(&self, id: &str) -> AppResult<Option<CheckoutRecord>>;

    /// Newest first.
    fn list_checkouts(&self, query: &ListQuery) -> AppResult<Vec<CheckoutRecord>>;

    /// Every checkout opened from a widget key, oldest first.
    fn widget_checkouts(&self, key: &str) -> AppResult<Vec<CheckoutRecord>>;

    /// Ids of NEW / WAITING_PAYMENT checkouts whose expiry has passed.
    fn expiry_candidates(&self, now_ms: i64, limit: u32) -> AppResult<Vec<String>>;

    /// Loads checkout `id`, runs `mutation` on it and writes the result, all in one
    /// transaction. With `inbound`, the event is recorded in the same transaction, and a
    /// duplicate event id short-circuits to [`Modify::DuplicateEvent`].
    fn modify_checkout(
        &self,
        id: &str,
        inbound: Option<&InboundEvent>,
        mutation: Mutation<'_>,
    ) -> AppResult<Modify>;

    /// Records an inbound event that concerns no known payment (so retries stop); returns
    /// false when it was already recorded.
    fn record_inbound_event(&self, event: &InboundEvent) -> AppResult<bool>;

    fn inbound_event_seen(&self, provider: &str, event_id: &str) -> AppResult<bool>;

    /// `(checkout id, payment id)` of the payment a provider knows as `provider_ref`.
    fn payment_by_ref(
        &self,
        provider: &str,
        provider_ref: &str,
    ) -> AppResult<Option<(String, String)>>;

    /// The checkout a payment id belongs to.
    fn checkout_of_payment(&self, payment_id: &str) -> AppResult<Option<String>>;

    /// Inserts a widget unless its key exists; returns the stored one and whether it was new.
    fn insert_widget(&self, widget: &WidgetRecord) -> AppResult<(WidgetRecord, bool)>;

    fn widget(&self, key: &str) -> AppResult<Option<WidgetRecord>>;

    /// The sandbox provider's simulated chain.
    fn sandbox(&self) -> &dyn SandboxLedger;

    /// The merchant-notification outbox (rows are added by `modify_checkout`).
    fn outbox(&self) -> &dyn outbox::OutboxStore;
}

/// An invoice on the sandbox's simulated chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxInvoice {
    pub reference: String,
    pub currency: String,
    pub network: String,
    pub address: String,
    pub amount: Amount,
    pub confirmations_required: u32,
    pub created_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxTx {
    pub txid: String,
    pub amount_units: u128,
    pub confirmations: u32,
    pub required: u32,
    pub seen_at_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SandboxNotification {
    pub event_id: String,
    pub invoice_ref: String,
    pub created_at_ms: i64,
}

pub trait SandboxLedger: Send + Sync {
    fn create_invoice(&self, invoice: &SandboxInvoice) -> AppResult<()>;
    fn invoice(&self, reference: &str) -> AppResult<Option<(SandboxInvoice, Vec<SandboxTx>)>>;
    /// A transaction enters the mempool; a notification is queued in the same transaction.
    fn add_tx(&self, reference: &str, amount_units: u128, now_ms: i64) -> AppResult<SandboxTx>;
    /// One block: every unconfirmed transaction gains a confirmation; one notification per
    /// affected invoice. Returns how many invoices changed.
    fn mine_block(&self, now_ms: i64) -> AppResult<usize>;
    fn undelivered(&self, limit: u32) -> AppResult<Vec<SandboxNotification>>;
    fn mark_delivered(&self, event_id: &str, now_ms: i64) -> AppResult<()>;
    fn note_attempt(&self, event_id: &str) -> AppResult<()>;
}

/// The store as the async code holds it.
#[derive(Clone)]
pub struct Db(Arc<dyn Store>);

impl Db {
    pub fn new(store: Arc<dyn Store>) -> Db {
        Db(store)
    }

    /// Runs `work` on the blocking pool.
    pub async fn run<T, F>(&self, work: F) -> AppResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> AppResult<T> + Send + 'static,
    {
        let store = self.0.clone();
        tokio::task::spawn_blocking(move || work(&*store))
            .await
            .map_err(|e| AppError::internal(anyhow::anyhow!("database task failed: {e}")))?
    }
}

/// `<created_at_ms>_<id>`: the list cursor, opaque to callers.
pub fn encode_cursor(record: &CheckoutRecord) -> String {
    format!("{}_{}", record.created_at_ms, record.id)
}

pub fn decode_cursor(cursor: &str) -> Option<(i64, String)> {
    let (ms, id) = cursor.split_once('_')?;
    Some((ms.parse().ok()?, id.to_owned()))
}
