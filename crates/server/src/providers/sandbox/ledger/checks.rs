//! What every sandbox ledger must do, run on each (`sqlite.rs`, `postgres.rs`).

use protocol::Amount;

use super::{SandboxInvoice, SandboxLedger};

pub const NOW: i64 = 1_800_000_000_000;

pub fn invoice(reference: &str, confirmations_required: u32) -> SandboxInvoice {
    SandboxInvoice {
        reference: reference.into(),
        currency: "BTC".into(),
        network: "BITCOIN".into(),
        address: "bc1qexample".into(),
        amount: Amount::parse("0.00025000").unwrap(),
        confirmations_required,
        created_at_ms: NOW,
    }
}

fn confirmations(ledger: &dyn SandboxLedger, reference: &str) -> Vec<u32> {
    let (_, txs) = ledger.invoice(reference).unwrap().unwrap();
    txs.iter().map(|t| t.confirmations).collect()
}

/// Blocks confirm up to what is required and queue one notification per invoice they change,
/// delivered oldest first.
pub fn blocks_confirm_up_to_what_is_required(ledger: &dyn SandboxLedger) {
    ledger.create_invoice(&invoice("sbx_inv_1", 1)).unwrap();
    ledger.create_invoice(&invoice("sbx_inv_2", 2)).unwrap();
    assert_eq!(ledger.mine_block(NOW, NOW).unwrap(), 0);
    ledger.add_tx("sbx_inv_1", 10, NOW).unwrap();
    ledger.add_tx("sbx_inv_2", 20, NOW).unwrap();
    ledger.add_tx("sbx_inv_2", 30, NOW).unwrap();
    // Sent after the cut-off of this block: not in it.
    assert_eq!(ledger.mine_block(NOW + 1, NOW - 1).unwrap(), 0);
    assert_eq!(ledger.mine_block(NOW + 1, NOW).unwrap(), 2);
    assert_eq!(ledger.mine_block(NOW + 2, NOW + 1).unwrap(), 1);
    assert_eq!(ledger.mine_block(NOW + 3, NOW + 2).unwrap(), 0);
    assert_eq!(confirmations(ledger, "sbx_inv_1"), [1]);
    assert_eq!(confirmations(ledger, "sbx_inv_2"), [2, 2]);

    let pending = ledger.undelivered(100).unwrap();
    let refs: Vec<_> = pending.iter().map(|n| n.invoice_ref.as_str()).collect();
    // Oldest first: the three payments, both invoices in the first block, the second alone.
    assert_eq!(refs.len(), 6);
    assert_eq!(refs[..3], ["sbx_inv_1", "sbx_inv_2", "sbx_inv_2"]);
    let mut first_block = refs[3..5].to_vec();
    first_block.sort_unstable();
    assert_eq!(first_block, ["sbx_inv_1", "sbx_inv_2"]);
    assert_eq!(refs[5], "sbx_inv_2");
    ledger.note_attempt(&pending[0].event_id).unwrap();
    assert_eq!(ledger.undelivered(1).unwrap(), pending[..1]);
    ledger
        .mark_delivered(&pending[0].event_id, NOW + 4)
        .unwrap();
    assert_eq!(ledger.undelivered(1).unwrap(), pending[1..2]);
    assert!(
        ledger.add_tx("sbx_inv_9", 1, NOW).is_err(),
        "no such invoice"
    );
    assert_eq!(ledger.invoice("sbx_inv_9").unwrap(), None);
}
