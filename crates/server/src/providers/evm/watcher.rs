//! One task per chain: asks the node for its newest block, checks that the last block read is
//! still on the chain (else rewinds to where the chains agree, un-counting what the dropped
//! blocks held), reads the next blocks in bounded batches and records what they pay us. The
//! payments whose funds or confirmations changed are handed to the server, which re-reads them
//! through the same path as every provider's webhook.

use std::collections::BTreeSet;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use futures_util::future::BoxFuture;
use tokio::sync::watch;

use super::rpc::Log;
use super::scan::Watched;
use super::Chain;
use crate::config::Secret;
use crate::domain::now_ms;
use crate::store::evm::BlockRef;
use crate::store::postgres::leader::Leadership;

/// Block hashes kept per chain: a reorganisation deeper than this cannot be undone (choose
/// confirmations well below it).
pub const KEPT_BLOCKS: u64 = 128;

/// Where a step's findings go: the references of payments to re-read.
pub type Findings = Arc<dyn Fn(Vec<String>) -> BoxFuture<'static, ()> + Send + Sync>;

/// What one step did.
struct Step {
    changed: BTreeSet<String>,
    /// Blocks are left to read: the next step starts at once.
    behind: bool,
}

/// The advisory lock key of a chain's watcher on PostgreSQL: "evm" and the chain id, so each
/// chain has its own leader.
pub fn leader_key(chain_id: u64) -> i64 {
    (0x0065_766d_i64 << 32) | (chain_id & 0xffff_ffff) as i64
}

/// How often an instance that does not watch a chain tries to take it over: a lock attempt
/// opens a connection, so not at every poll.
const FOLLOWER_RETRY: Duration = Duration::from_secs(1);

/// Runs until `shutdown` turns true; a failing node is asked again after a doubling wait. On a
/// shared PostgreSQL database (`shared`, its URL) only the instance holding the chain's lock
/// reads it: the others would read the same blocks and record the same findings again.
pub async fn run(
    chain: Arc<Chain>,
    findings: Findings,
    shared: Option<Secret>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut leadership = shared.map(|url| Leadership::new(url, leader_key(chain.config.chain_id)));
    let poll = chain.settings.poll_interval;
    let mut wait = Duration::ZERO;
    loop {
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = shutdown.changed() => return,
        }
        if let Some(leadership) = leadership.as_mut() {
            if !leadership.lead().await {
                chain.health.following(&chain.network);
                wait = FOLLOWER_RETRY.max(poll);
                continue;
            }
        }
        match step(&chain).await {
            Ok(step) => {
                if !step.changed.is_empty() {
                    findings(step.changed.into_iter().collect()).await;
                }
                wait = if step.behind { Duration::ZERO } else { poll };
            }
            Err(e) => {
                tracing::warn!(network = %chain.network, "watching the chain: {e:#}");
                chain.health.failed(&chain.network, &e);
                wait = (wait.max(poll) * 2).min(chain.settings.max_backoff.max(poll));
            }
        }
    }
}

/// A node of another chain (a wrong `rpc_url`) would have the watcher count nothing, or the
/// wrong coins: it is refused until it says the configured chain id.
async fn check_node(chain: &Chain) -> anyhow::Result<()> {
    if chain.node_checked.load(Ordering::Relaxed) {
        return Ok(());
    }
    let id = chain.rpc.chain_id().await?;
    if id != chain.config.chain_id {
        anyhow::bail!(
            "the node serves chain id {id}, not {} as configured",
            chain.config.chain_id
        );
    }
    chain.node_checked.store(true, Ordering::Relaxed);
    Ok(())
}

async fn step(chain: &Chain) -> anyhow::Result<Step> {
    check_node(chain).await?;
    let network = chain.network.clone();
    let head = chain.rpc.block_number().await?;
    let stored = chain.db.run(move |s| s.evm().next_block(&network)).await?;
    let mut changed = BTreeSet::new();
    // The first step starts at the node's newest block: no deposit address existed before.
    let mut next = stored.unwrap_or(head);
    if next > 0 {
        // A node whose chain is now shorter than what was read replaced the blocks above its
        // head at least (a reverted or restarted node).
        let top = (next - 1).min(head);
        let fork = match replaced_since(chain, top).await? {
            None if top < next - 1 => Some(top),
            fork => fork,
        };
        if let Some(fork) = fork {
            changed.extend(rewind(chain, fork).await?);
            next = fork + 1;
        }
    }
    let last = head.min(next.saturating_add(chain.settings.batch_blocks) - 1);
    if next <= last {
        changed.extend(read_blocks(chain, next, last).await?);
    }
    let network = chain.network.clone();
    let read_to = chain.db.run(move |s| s.evm().next_block(&network)).await?;
    let tip = read_to.unwrap_or(next).saturating_sub(1);
    if read_to != stored {
        // Every transfer still short of its confirmations gained one (or lost one in a rewind).
        let from = tip.saturating_sub(u64::from(chain.confirmations));
        let network = chain.network.clone();
        let confirming = chain.db.run(move |s| s.evm().confirming(&network, from));
        changed.extend(confirming.await?);
    }
    chain
        .health
        .succeeded(&chain.network, head, tip + 1, now_ms());
    Ok(Step {
        changed,
        behind: last < head,
    })
}

/// `None` when the block recorded at `number` is still on the node's chain (or none is
/// recorded); else the highest recorded block that is, where the chains fork.
async fn replaced_since(chain: &Chain, number: u64) -> anyhow::Result<Option<u64>> {
    let oldest = number.saturating_sub(KEPT_BLOCKS);
    let mut n = number;
    loop {
        let network = chain.network.clone();
        let Some(recorded) = chain
            .db
            .run(move |s| s.evm().block_hash(&network, n))
            .await?
        else {
            // Nothing recorded here: the first block, or a reorganisation deeper than we keep.
            return Ok((n != number).then_some(n));
        };
        let on_chain = chain.rpc.block(n).await?;
        if on_chain.hash.eq_ignore_ascii_case(&recorded) {
            return Ok((n != number).then_some(n));
        }
        if n == 0 || n <= oldest {
            tracing::error!(network = %chain.network, "a reorganisation deeper than {KEPT_BLOCKS} blocks");
            return Ok(Some(n.saturating_sub(1)));
        }
        n -= 1;
    }
}

/// Un-counts everything above `fork`; the blocks are read again from `fork + 1`.
async fn rewind(chain: &Chain, fork: u64) -> anyhow::Result<Vec<String>> {
    tracing::warn!(network = %chain.network, fork, "the chain was reorganised; reading again from the fork");
    let network = chain.network.clone();
    Ok(chain
        .db
        .run(move |s| s.evm().rewind(&network, fork))
        .await?)
}

/// Reads blocks `from..=to` in order and records each with what it pays us. Stops early, with
/// what is recorded kept, when the chain changes under the reading (the next step rewinds).
async fn read_blocks(chain: &Chain, from: u64, to: u64) -> anyhow::Result<BTreeSet<String>> {
    let network = chain.network.clone();
    let since = now_ms() - i64::try_from(chain.settings.watch_for.as_millis()).unwrap_or(i64::MAX);
    let invoices = chain
        .db
        .run(move |s| s.evm().watched(&network, since))
        .await?;
    let watched = Watched::new(invoices);
    let logs = match watched.token_filter() {
        Some((contracts, recipients)) => {
            chain
                .rpc
                .transfer_logs(from, to, &contracts, &recipients)
                .await?
        }
        None => Vec::new(),
    };
    let network = chain.network.clone();
    let mut parent = chain
        .db
        .run(move |s| s.evm().block_hash(&network, from.saturating_sub(1)))
        .await?;
    let mut changed = BTreeSet::new();
    for number in from..=to {
        let block = chain.rpc.block(number).await.context("reading a block")?;
        let moved = parent
            .as_deref()
            .is_some_and(|p| !p.eq_ignore_ascii_case(&block.parent_hash));
        let its_logs: Vec<Log> = logs
            .iter()
            .filter(|l| l.block_number == number)
            .cloned()
            .collect();
        if moved
            || its_logs
                .iter()
                .any(|l| !l.block_hash.eq_ignore_ascii_case(&block.hash))
        {
            break;
        }
        let transfers = watched.transfers_in(&chain.rpc, &block, &its_logs).await?;
        changed.extend(transfers.iter().map(|t| t.reference.clone()));
        let network = chain.network.clone();
        let recorded = BlockRef {
            number,
            hash: block.hash.clone(),
        };
        chain
            .db
            .run(move |s| {
                s.evm()
                    .add_block(&network, &recorded, &transfers, KEPT_BLOCKS)
            })
            .await?;
        parent = Some(block.hash);
    }
    Ok(changed)
}
