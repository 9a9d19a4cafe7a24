//! The embedded sandbox provider: behaves like a real one (its own invoices, a simulated chain,
//! signed webhooks to our own endpoint), so the rest of the server cannot tell the difference.

pub mod address;
pub mod chain;
pub mod ledger;
pub mod mapping;
pub mod webhook;

use std::sync::Arc;

use async_trait::async_trait;
use http::HeaderMap;
use tokio::sync::Notify;

pub use self::webhook::{sign, SandboxWebhook, SIGNATURE_HEADER};
use super::{InvoiceSnapshot, NewInvoice, Provider, Quote, WebhookError, WebhookNotice};
use crate::config::SandboxConfig;
use crate::domain::currency::Coin;
use crate::store::error::StoreResult;
use ledger::{Ledger, SandboxInvoice, SandboxTx};

pub struct SandboxProvider {
    ledger: Ledger,
    config: SandboxConfig,
    /// Wakes the chain task when a transaction is added, so the webhook goes out at once.
    wake: Arc<Notify>,
}

impl SandboxProvider {
    pub fn new(ledger: Ledger, config: SandboxConfig) -> SandboxProvider {
        SandboxProvider {
            ledger,
            config,
            wake: Arc::new(Notify::new()),
        }
    }

    pub fn config(&self) -> &SandboxConfig {
        &self.config
    }

    pub(crate) fn ledger(&self) -> &Ledger {
        &self.ledger
    }

    pub(crate) fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// A block now (the demo's test controls): every transaction seen so far, however recent,
    /// gets a confirmation, and the chain task reports the changes at once.
    pub async fn mine_block(&self) -> StoreResult<usize> {
        let now = crate::domain::now_ms();
        let mined = self.ledger.run(move |l| l.mine_block(now, now)).await?;
        self.wake.notify_one();
        Ok(mined)
    }

    /// A payer's transaction of `amount_units` to the invoice enters the mempool.
    pub async fn pay(&self, provider_ref: &str, amount_units: u128) -> StoreResult<SandboxTx> {
        let reference = provider_ref.to_owned();
        let tx = self
            .ledger
            .run(move |l| l.add_tx(&reference, amount_units, crate::domain::now_ms()))
            .await?;
        self.wake.notify_one();
        Ok(tx)
    }
}

#[async_trait]
impl Provider for SandboxProvider {
    fn name(&self) -> &'static str {
        "sandbox"
    }

    fn is_test(&self) -> bool {
        true
    }

    async fn quote(&self, coin: &Coin, fiat: &str) -> anyhow::Result<Option<Quote>> {
        let config = &self.config;
        super::fixed_rates::quote(&config.rates, coin, fiat, config.rate_lock, "the sandbox")
    }

    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot> {
        let amount = request
            .amount
            .ok_or_else(|| anyhow::anyhow!("the sandbox needs the amount in the coin"))?;
        let invoice = SandboxInvoice {
            reference: format!("sbx_inv_{}", request.payment_id.trim_start_matches("PAY-")),
            currency: request.coin.code.to_owned(),
            network: request.coin.network.to_owned(),
            address: address::derive_address(
                self.config.seed.expose(),
                request.coin.network,
                &request.payment_id,
                // Test networks' formats: a sandbox address can never receive real funds.
                request.coin.on_test_network().address,
            ),
            amount,
            confirmations_required: request.coin.confirmations_required,
            created_at_ms: crate::domain::now_ms(),
        };
        let stored = invoice.clone();
        self.ledger
            .run(move |l| l.create_invoice(&stored))
            .await
            .map_err(|e| anyhow::anyhow!("storing the sandbox invoice: {e}"))?;
        Ok(mapping::snapshot(&invoice, &[]))
    }

    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        _decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot> {
        let reference = provider_ref.to_owned();
        let found = self
            .ledger
            .run(move |l| l.invoice(&reference))
            .await
            .map_err(|e| anyhow::anyhow!("reading the sandbox invoice: {e}"))?;
        let (invoice, txs) =
            found.ok_or_else(|| anyhow::anyhow!("no sandbox invoice {provider_ref}"))?;
        Ok(mapping::snapshot(&invoice, &txs))
    }

    async fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        webhook::verify_headers(&self.config.webhook_secret, headers, body)
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        webhook::parse(body)
    }
}
