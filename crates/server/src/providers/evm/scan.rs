//! What one block pays to our deposit addresses: native transfers (a transaction's value to the
//! address, if the transaction succeeded) and ERC-20 `Transfer` logs of the payment's token
//! to it. Only those two are seen: see the README on what is and is not watched.

use std::collections::HashMap;

use super::rpc::{address_of_topic, parse_u256, Block, Log, Rpc, TRANSFER_TOPIC};
use crate::store::evm::{EvmInvoice, EvmTransfer};

/// The watched deposit addresses of one chain, by lower-case address.
pub struct Watched {
    by_address: HashMap<String, EvmInvoice>,
}

impl Watched {
    pub fn new(invoices: Vec<EvmInvoice>) -> Watched {
        let by_address = invoices
            .into_iter()
            .map(|i| (i.address.to_ascii_lowercase(), i))
            .collect();
        Watched { by_address }
    }

    /// Recipients and contracts for `eth_getLogs`; `None` when no token payment is watched.
    pub fn token_filter(&self) -> Option<(Vec<String>, Vec<String>)> {
        let tokens: Vec<&EvmInvoice> = self
            .by_address
            .values()
            .filter(|i| i.contract.is_some())
            .collect();
        if tokens.is_empty() {
            return None;
        }
        let mut contracts: Vec<String> = tokens.iter().filter_map(|i| i.contract.clone()).collect();
        contracts.sort();
        contracts.dedup();
        let recipients = tokens.iter().map(|i| i.address.clone()).collect();
        Some((contracts, recipients))
    }

    /// The transfers `block` holds for us; `logs` are the token logs of its number.
    pub async fn transfers_in(
        &self,
        rpc: &Rpc,
        block: &Block,
        logs: &[Log],
    ) -> anyhow::Result<Vec<EvmTransfer>> {
        let mut found = Vec::new();
        for tx in &block.transactions {
            let Some(invoice) = tx.to.as_deref().and_then(|to| self.native_invoice(to)) else {
                continue;
            };
            let amount = parse_u256(&tx.value).unwrap_or(0);
            if amount == 0 || !rpc.succeeded(&tx.hash).await? {
                continue;
            }
            found.push(transfer(block, invoice, &tx.hash, -1, amount));
        }
        for log in logs {
            if let Some((invoice, amount)) = self.token_payment(log) {
                let index = i64::try_from(log.log_index).unwrap_or(i64::MAX);
                found.push(transfer(
                    block,
                    invoice,
                    &log.transaction_hash,
                    index,
                    amount,
                ));
            }
        }
        Ok(found)
    }

    fn native_invoice(&self, to: &str) -> Option<&EvmInvoice> {
        self.by_address
            .get(&to.to_ascii_lowercase())
            .filter(|i| i.contract.is_none())
    }

    /// The payment a `Transfer` log pays, and how much: the log's contract must be the token
    /// the payment is in.
    fn token_payment(&self, log: &Log) -> Option<(&EvmInvoice, u128)> {
        if log.removed || log.topics.len() != 3 || log.topics[0] != TRANSFER_TOPIC {
            return None;
        }
        let recipient = address_of_topic(&log.topics[2])?;
        let invoice = self.by_address.get(&recipient)?;
        let contract = invoice.contract.as_deref()?;
        if !contract.eq_ignore_ascii_case(&log.address) {
            return None;
        }
        let amount = parse_u256(&log.data)?;
        (amount > 0).then_some((invoice, amount))
    }
}

fn transfer(
    block: &Block,
    invoice: &EvmInvoice,
    tx_hash: &str,
    log_index: i64,
    amount_units: u128,
) -> EvmTransfer {
    EvmTransfer {
        tx_hash: tx_hash.to_owned(),
        log_index,
        block_number: block.number,
        block_hash: block.hash.clone(),
        reference: invoice.reference.clone(),
        amount_units,
        block_time_ms: i64::try_from(block.timestamp)
            .unwrap_or(i64::MAX / 1000)
            .saturating_mul(1000),
    }
}

#[cfg(test)]
mod tests {
    use protocol::Amount;

    use super::*;
    use crate::providers::evm::rpc::topic_of_address;

    const TOKEN: &str = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    const OTHER: &str = "0xe7f1725e7734ce288f8367e1bb143e90bb3f0512";

    fn invoice(reference: &str, address: &str, contract: Option<&str>) -> EvmInvoice {
        EvmInvoice {
            reference: reference.into(),
            network: "LOCAL".into(),
            address_index: 0,
            address: address.into(),
            coin: "USDT".into(),
            contract: contract.map(str::to_owned),
            amount: Amount::parse("1").unwrap(),
            created_at_ms: 0,
        }
    }

    fn log(contract: &str, to: &str, units: u128) -> Log {
        Log {
            address: contract.into(),
            topics: vec![
                TRANSFER_TOPIC.into(),
                topic_of_address(OTHER),
                topic_of_address(to),
            ],
            data: format!("0x{units:064x}"),
            block_number: 7,
            block_hash: "0xb7".into(),
            transaction_hash: "0xt".into(),
            log_index: 2,
            removed: false,
        }
    }

    #[test]
    fn only_the_payments_own_token_to_its_address_counts() {
        let token_address = "0x00000000000000000000000000000000000000Aa";
        let native_address = "0x00000000000000000000000000000000000000bB";
        let watched = Watched::new(vec![
            invoice("t", token_address, Some(TOKEN)),
            invoice("n", native_address, None),
        ]);
        let (contracts, recipients) = watched.token_filter().unwrap();
        assert_eq!(
            (contracts, recipients),
            (vec![TOKEN.to_owned()], vec![token_address.to_owned()])
        );
        let paid = watched.token_payment(&log(
            &TOKEN.to_uppercase().replace("0X", "0x"),
            token_address,
            25,
        ));
        assert_eq!(
            paid.map(|(i, units)| (i.reference.as_str(), units)),
            Some(("t", 25))
        );
        assert!(
            watched
                .token_payment(&log(OTHER, token_address, 25))
                .is_none(),
            "another token"
        );
        assert!(
            watched
                .token_payment(&log(TOKEN, native_address, 25))
                .is_none(),
            "a native payment"
        );
        assert!(
            watched
                .token_payment(&log(TOKEN, token_address, 0))
                .is_none(),
            "nothing moved"
        );
        let mut removed = log(TOKEN, token_address, 25);
        removed.removed = true;
        assert!(
            watched.token_payment(&removed).is_none(),
            "a log the node took back"
        );
        let natives = Watched::new(vec![invoice("n", native_address, None)]);
        assert!(
            natives.token_filter().is_none(),
            "no logs asked for without a token payment"
        );
    }
}
