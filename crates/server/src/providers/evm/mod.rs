//! The EVM provider: no third party. It watches each configured chain through the node's
//! JSON-RPC API ([`watcher`]), gives every payment its own deposit address derived from the
//! merchant's extended public key ([`deposit`]), and keeps what it counted in the store
//! ([`crate::store::evm`]). Re-reading an invoice reads those records, so the server's one
//! path (re-read, state machine, outbox, live status, reconciliation) is the same as for
//! every provider; the watcher only tells the server which payments to re-read.

pub mod deposit;
pub mod health;
pub mod mapping;
pub mod rpc;
pub mod scan;
pub mod watcher;

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::Context;
use async_trait::async_trait;
use http::HeaderMap;

use super::{InvoiceSnapshot, NewInvoice, Provider, Quote, WebhookError, WebhookNotice};
use crate::config::{ChainConfig, EvmConfig};
use crate::domain::currency::Coin;
use crate::store::evm::EvmInvoice;
use crate::store::Db;
use deposit::DepositKeys;
use health::Health;
use mapping::InvoiceView;
use rpc::Rpc;

/// One watched chain: its settings, node and key.
pub struct Chain {
    pub network: String,
    pub confirmations: u32,
    config: ChainConfig,
    keys: DepositKeys,
    rpc: Rpc,
    db: Db,
    settings: EvmConfig,
    health: Arc<Health>,
    /// The node said it serves the configured chain id (asked once, before anything is read).
    node_checked: std::sync::atomic::AtomicBool,
}

pub struct EvmProvider {
    config: EvmConfig,
    chains: BTreeMap<String, Arc<Chain>>,
    db: Db,
    health: Arc<Health>,
}

impl EvmProvider {
    /// Checks every chain's key (an extended private key is refused) and builds its client.
    pub fn new(config: &EvmConfig, db: Db) -> anyhow::Result<EvmProvider> {
        let health = Arc::new(Health::default());
        let mut chains = BTreeMap::new();
        for (network, chain) in &config.chains {
            let keys = DepositKeys::parse(&chain.xpub)
                .with_context(|| format!("[evm.chains.{network}] xpub"))?;
            let built = Chain {
                network: network.clone(),
                confirmations: chain.confirmations,
                config: chain.clone(),
                keys,
                rpc: Rpc::new(chain.rpc_url.expose(), config.rpc_timeout)?,
                db: db.clone(),
                settings: config.clone(),
                health: health.clone(),
                node_checked: Default::default(),
            };
            chains.insert(network.clone(), Arc::new(built));
        }
        Ok(EvmProvider {
            config: config.clone(),
            chains,
            db,
            health,
        })
    }

    /// The chains, each to be watched by its own task ([`watcher::run`]).
    pub fn chains(&self) -> impl Iterator<Item = &Arc<Chain>> {
        self.chains.values()
    }

    /// How each chain's node answers, for `/healthz`.
    pub fn health(&self) -> BTreeMap<String, health::ChainHealth> {
        self.health.chains()
    }

    fn chain_of(&self, coin: &Coin) -> anyhow::Result<&Arc<Chain>> {
        self.chains
            .get(coin.network)
            .with_context(|| format!("no chain {} is configured", coin.network))
    }

    async fn view(&self, reference: &str) -> anyhow::Result<(InvoiceView, u32)> {
        let r = reference.to_owned();
        let (invoice, transfers) = self
            .db
            .run(move |s| Ok((s.evm().invoice(&r)?, s.evm().transfers(&r)?)))
            .await?;
        let invoice = invoice.with_context(|| format!("no EVM invoice {reference}"))?;
        let chain = self
            .chains
            .get(&invoice.network)
            .with_context(|| format!("chain {} is no longer configured", invoice.network))?;
        let network = invoice.network.clone();
        let next = self.db.run(move |s| s.evm().next_block(&network)).await?;
        let view = InvoiceView {
            invoice,
            transfers,
            tip: next.and_then(|n| n.checked_sub(1)),
        };
        Ok((view, chain.confirmations))
    }
}

#[async_trait]
impl Provider for EvmProvider {
    fn name(&self) -> &'static str {
        "evm"
    }

    async fn quote(&self, coin: &Coin, fiat: &str) -> anyhow::Result<Option<Quote>> {
        let config = &self.config;
        super::fixed_rates::quote(&config.rates, coin, fiat, config.rate_lock, "[evm.rates]")
    }

    /// Only the coins of the configured chains.
    fn offers(&self, coin: &Coin) -> bool {
        self.chains.contains_key(coin.network)
    }

    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot> {
        let chain = self.chain_of(&request.coin)?.clone();
        let amount = request
            .amount
            .context("the EVM provider needs the amount in the coin")?;
        let contract = match chain.config.tokens.get(request.coin.code) {
            Some(token) => Some(token.contract.to_ascii_lowercase()),
            None if chain.config.native.is_some() => None,
            None => anyhow::bail!("{} is not accepted on {}", request.coin.code, chain.network),
        };
        let template = EvmInvoice {
            reference: format!("evm_{}", super::idempotency_key(&request.payment_id)),
            network: chain.network.clone(),
            address_index: 0,
            address: String::new(),
            coin: request.coin.code.to_owned(),
            contract,
            amount,
            created_at_ms: crate::domain::now_ms(),
        };
        let keys = chain.keys.clone();
        let invoice = self
            .db
            .run(move |s| s.evm().open_invoice(&template, &|i| keys.address(i)))
            .await
            .context("storing the deposit address")?;
        let (view, required) = self.view(&invoice.reference).await?;
        Ok(mapping::snapshot(&view, required))
    }

    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        _decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot> {
        let (view, required) = self.view(provider_ref).await?;
        Ok(mapping::snapshot(&view, required))
    }

    /// The chain is read, never told: nothing may post findings on its behalf.
    async fn verify_webhook(&self, _headers: &HeaderMap, _body: &[u8]) -> Result<(), WebhookError> {
        Err(WebhookError::BadSignature)
    }

    fn parse_webhook(&self, _body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        Err(WebhookError::BadPayload(
            "the EVM provider takes no webhooks".into(),
        ))
    }
}
