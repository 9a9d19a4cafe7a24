//! The sandbox's own storage: its invoices, the transactions of its simulated chain and the
//! webhooks it owes the server. Nothing outside `providers::sandbox` uses it; the checkout store
//! knows nothing of it.

#[cfg(test)]
pub mod checks;
pub mod postgres;
pub mod sqlite;

use protocol::Amount;

use crate::store::error::StoreResult;
use crate::store::Blocking;

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

pub trait SandboxLedger: Send + Sync + 'static {
    fn create_invoice(&self, invoice: &SandboxInvoice) -> StoreResult<()>;
    fn invoice(&self, reference: &str) -> StoreResult<Option<(SandboxInvoice, Vec<SandboxTx>)>>;
    /// A transaction enters the mempool; a notification is queued in the same transaction.
    fn add_tx(&self, reference: &str, amount_units: u128, now_ms: i64) -> StoreResult<SandboxTx>;
    /// One block: every unconfirmed transaction gains a confirmation; one notification per
    /// affected invoice. Returns how many invoices changed.
    fn mine_block(&self, now_ms: i64, seen_by_ms: i64) -> StoreResult<usize>;
    /// Notifications not acknowledged yet, oldest first.
    fn undelivered(&self, limit: u32) -> StoreResult<Vec<SandboxNotification>>;
    fn mark_delivered(&self, event_id: &str, now_ms: i64) -> StoreResult<()>;
    fn note_attempt(&self, event_id: &str) -> StoreResult<()>;
}

/// The ledger as the async code holds it.
pub type Ledger = Blocking<dyn SandboxLedger>;
