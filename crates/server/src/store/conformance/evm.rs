//! The EVM provider's tables: one index per payment and network, the cursor, recent block
//! hashes, and transfers un-counted by a reorganisation.

use protocol::Amount;

use super::Harness;
use crate::store::evm::{BlockRef, EvmInvoice, EvmTransfer};

/// An ether invoice of 0.5 for `reference` on `network`, before its index is taken.
pub fn template(reference: &str, network: &str) -> EvmInvoice {
    EvmInvoice {
        reference: reference.into(),
        network: network.into(),
        address_index: 0,
        address: String::new(),
        coin: "ETH".into(),
        contract: None,
        amount: Amount::parse("0.5").unwrap(),
        created_at_ms: 1_000,
    }
}

fn transfer(reference: &str, block: u64, units: u128) -> EvmTransfer {
    EvmTransfer {
        tx_hash: format!("0xt{block}"),
        log_index: -1,
        block_number: block,
        block_hash: format!("0xb{block}"),
        reference: reference.into(),
        amount_units: units,
        block_time_ms: 5,
    }
}

fn block(number: u64) -> BlockRef {
    BlockRef {
        number,
        hash: format!("0xb{number}"),
    }
}

pub fn each_payment_gets_the_next_index_of_its_network_once(t: &dyn Harness) {
    let store = t.store().evm();
    let derive = |i: u32| Ok(format!("addr{i}"));
    let a = store
        .open_invoice(&template("a", "ETHEREUM"), &derive)
        .unwrap();
    let b = store
        .open_invoice(&template("b", "ETHEREUM"), &derive)
        .unwrap();
    let again = store
        .open_invoice(&template("a", "ETHEREUM"), &derive)
        .unwrap();
    let other = store
        .open_invoice(&template("c", "POLYGON"), &derive)
        .unwrap();
    assert_eq!((a.address_index, b.address_index), (0, 1));
    assert_eq!((a.address.as_str(), b.address.as_str()), ("addr0", "addr1"));
    assert_eq!(again, a, "a retried opening keeps its address");
    assert_eq!(other.address_index, 0, "each network counts its own");
    assert_eq!(store.invoice("b").unwrap(), Some(b));
    assert_eq!(store.invoice("z").unwrap(), None);
    assert_eq!(store.watched("ETHEREUM", 0).unwrap().len(), 2);
    assert!(store.watched("ETHEREUM", 2_000).unwrap().is_empty());
}

pub fn blocks_move_the_cursor_and_a_rewind_uncounts_what_they_held(t: &dyn Harness) {
    let store = t.store().evm();
    store
        .open_invoice(&template("a", "ETHEREUM"), &|_| Ok("x".into()))
        .unwrap();
    assert_eq!(store.next_block("ETHEREUM").unwrap(), None);
    store
        .add_block("ETHEREUM", &block(10), &[transfer("a", 10, 5)], 3)
        .unwrap();
    store.add_block("ETHEREUM", &block(11), &[], 3).unwrap();
    let big = transfer("a", 12, u128::from(u64::MAX) * 1_000);
    store
        .add_block("ETHEREUM", &block(12), std::slice::from_ref(&big), 3)
        .unwrap();
    // The same transfer again (a block read twice) is counted once.
    store
        .add_block("ETHEREUM", &block(12), std::slice::from_ref(&big), 3)
        .unwrap();
    assert_eq!(store.next_block("ETHEREUM").unwrap(), Some(13));
    let counted = store.transfers("a").unwrap();
    assert_eq!(counted.len(), 2);
    assert_eq!(counted[1], big, "amounts beyond 64 bits come back exact");
    assert_eq!(store.confirming("ETHEREUM", 11).unwrap(), ["a"]);
    assert!(store.confirming("ETHEREUM", 13).unwrap().is_empty());
    store.add_block("ETHEREUM", &block(13), &[], 2).unwrap();
    assert_eq!(
        store.block_hash("ETHEREUM", 10).unwrap(),
        None,
        "older than kept"
    );
    assert_eq!(
        store.block_hash("ETHEREUM", 11).unwrap().as_deref(),
        Some("0xb11")
    );

    assert_eq!(store.rewind("ETHEREUM", 11).unwrap(), ["a"]);
    assert_eq!(store.next_block("ETHEREUM").unwrap(), Some(12));
    assert_eq!(store.block_hash("ETHEREUM", 12).unwrap(), None);
    let left = store.transfers("a").unwrap();
    assert_eq!((left.len(), left[0].block_number), (1, 10));
}
