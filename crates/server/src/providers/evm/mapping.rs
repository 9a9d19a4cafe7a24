//! The EVM provider's records onto our funds: it counts confirmations itself, so a transfer is
//! final once the chain it has read is `confirmations` blocks past it (its own block counts).

use crate::domain::state_machine::Funds;
use crate::providers::funds::{counted_by_confirmations, Counted};
use crate::providers::InvoiceSnapshot;
use crate::store::evm::{EvmInvoice, EvmTransfer};

/// A deposit address with what was counted for it, and the newest block read on its chain.
pub struct InvoiceView {
    pub invoice: EvmInvoice,
    pub transfers: Vec<EvmTransfer>,
    pub tip: Option<u64>,
}

pub fn snapshot(view: &InvoiceView, required: u32) -> InvoiceSnapshot {
    let confirmations_of = |block: u64| -> u32 {
        match view.tip {
            Some(tip) if tip >= block => u32::try_from(tip - block + 1).unwrap_or(u32::MAX),
            _ => 0,
        }
    };
    let counted: Vec<Counted> = view
        .transfers
        .iter()
        .map(|t| Counted {
            units: t.amount_units,
            confirmations: confirmations_of(t.block_number),
            required,
            at_ms: t.block_time_ms,
        })
        .collect();
    let (funds, state) = counted_by_confirmations(&counted);
    InvoiceSnapshot {
        provider_ref: view.invoice.reference.clone(),
        address: view.invoice.address.clone(),
        // Counted at the newest block read: a later report replaces this one even downwards.
        funds: Funds {
            as_of_block: view.tip,
            ..funds
        },
        provider_state: state.to_owned(),
        amount: Some(view.invoice.amount),
        rate_expires_at_ms: None,
        closed: false,
    }
}

#[cfg(test)]
mod tests {
    use protocol::Amount;

    use super::*;

    fn view(tip: Option<u64>, blocks: &[(u64, u128)]) -> InvoiceView {
        let transfers = blocks
            .iter()
            .map(|(block, units)| EvmTransfer {
                tx_hash: format!("0x{block}"),
                log_index: -1,
                block_number: *block,
                block_hash: format!("0xb{block}"),
                reference: "evm_1".into(),
                amount_units: *units,
                block_time_ms: 1_000 * *block as i64,
            })
            .collect();
        InvoiceView {
            invoice: EvmInvoice {
                reference: "evm_1".into(),
                network: "LOCAL".into(),
                address_index: 0,
                address: "0xAb".into(),
                coin: "ETH".into(),
                contract: None,
                amount: Amount::parse("1").unwrap(),
                created_at_ms: 0,
            },
            transfers,
            tip,
        }
    }

    #[test]
    fn a_transfer_is_confirmed_once_the_chain_read_is_deep_enough() {
        let none = snapshot(&view(Some(10), &[]), 3);
        assert_eq!(
            (none.funds.seen_units, none.provider_state.as_str()),
            (0, "WAITING")
        );
        assert_eq!(none.funds.as_of_block, Some(10));
        let fresh = snapshot(&view(Some(10), &[(10, 5)]), 3);
        assert_eq!(
            (fresh.funds.confirmations, fresh.funds.confirmed_units),
            (1, 0)
        );
        // Two transfers: the older is final, the newer still counts its blocks.
        let two = snapshot(&view(Some(12), &[(10, 5), (12, 7)]), 3);
        assert_eq!((two.funds.seen_units, two.funds.confirmed_units), (12, 5));
        assert_eq!(two.funds.confirmations, 1, "the least confirmed one");
        assert_eq!(two.funds.first_seen_at_ms, Some(10_000), "the block's time");
        assert_eq!(two.provider_state, "CONFIRMING");
        let done = snapshot(&view(Some(14), &[(10, 5), (12, 7)]), 3);
        assert_eq!(
            (done.funds.confirmed_units, done.provider_state.as_str()),
            (12, "CONFIRMED")
        );
        // Nothing read yet on the chain: no confirmation at all.
        assert_eq!(snapshot(&view(None, &[(10, 5)]), 3).funds.confirmations, 0);
    }
}
