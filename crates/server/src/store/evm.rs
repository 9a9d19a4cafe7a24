//! What the EVM provider keeps of the chains it watches: one deposit address per payment (its
//! index under the merchant's key, so a restart never reuses or skips one), each chain's cursor
//! and recent block hashes (to notice a reorganisation), and the transfers it counted, each
//! with the block that holds it.

use protocol::Amount;

use crate::store::error::StoreResult;

/// A payment's deposit address on one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmInvoice {
    pub reference: String,
    pub network: String,
    pub address_index: u32,
    /// EIP-55 form, as shown to the payer.
    pub address: String,
    pub coin: String,
    /// The token contract in lower case; `None` for the chain's native coin.
    pub contract: Option<String>,
    pub amount: Amount,
    pub created_at_ms: i64,
}

/// Funds that arrived at a deposit address, in the block that holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvmTransfer {
    pub tx_hash: String,
    /// The log's index in its block for a token transfer; `-1` for a native transfer.
    pub log_index: i64,
    pub block_number: u64,
    pub block_hash: String,
    pub reference: String,
    pub amount_units: u128,
    /// The block's own time: when the payer paid, whenever the watcher read it.
    pub block_time_ms: i64,
}

/// A block the watcher has read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockRef {
    pub number: u64,
    pub hash: String,
}

pub trait EvmStore: Send + Sync {
    /// The deposit address of `reference`, made with the next free index of `network`
    /// (`derive` turns an index into an address) unless it has one already.
    fn open_invoice(
        &self,
        template: &EvmInvoice,
        derive: &dyn Fn(u32) -> anyhow::Result<String>,
    ) -> StoreResult<EvmInvoice>;

    fn invoice(&self, reference: &str) -> StoreResult<Option<EvmInvoice>>;

    /// The transfers counted for `reference`, oldest block first.
    fn transfers(&self, reference: &str) -> StoreResult<Vec<EvmTransfer>>;

    /// Deposit addresses of `network` opened since `since_ms`: the ones watched.
    fn watched(&self, network: &str, since_ms: i64) -> StoreResult<Vec<EvmInvoice>>;

    /// The next block to read on `network`; `None` before the first.
    fn next_block(&self, network: &str) -> StoreResult<Option<u64>>;

    /// The hash recorded for block `number`, if it is among the recent ones kept.
    fn block_hash(&self, network: &str, number: u64) -> StoreResult<Option<String>>;

    /// Records a block read and the transfers found in it, moves the cursor past it and forgets
    /// hashes more than `keep` blocks old, in one transaction.
    fn add_block(
        &self,
        network: &str,
        block: &BlockRef,
        transfers: &[EvmTransfer],
        keep: u64,
    ) -> StoreResult<()>;

    /// A reorganisation: forgets every block above `fork` and the transfers they held, and
    /// reads on from `fork + 1`. Returns the references whose transfers were dropped.
    fn rewind(&self, network: &str, fork: u64) -> StoreResult<Vec<String>>;

    /// References with transfers in blocks from `from` on: those whose confirmations grow.
    fn confirming(&self, network: &str, from: u64) -> StoreResult<Vec<String>>;
}
