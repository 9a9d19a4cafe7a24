//! Calypso Pay: once the payer picks a coin, a SINGLE invoice (price in that coin) or a
//! SINGLE_FIAT invoice (price in fiat, converted by Calypso) is created with our payment's
//! uuid as its idempotency key, which is also how we find it again. Webhooks are signed with
//! the subscription's secret; interventions are resolved in the documented order: return-to-paid,
//! then (once the invoice is COMPLETED) close-intervention.

pub mod checks;
pub mod client;
pub mod mapping;
pub mod model;
pub mod subscription;
pub mod webhook;

use std::sync::Arc;

use async_trait::async_trait;
use http::HeaderMap;

use self::client::CalypsoClient;
pub use self::model::NewLinkedWidget;
use self::model::{Invoice, LinkedWidget};
use self::subscription::{KeyStore, StoredKeys};
use super::failure::Declined;
use super::{
    idempotency_key, InvoiceSnapshot, NewInvoice, Provider, Quote, SettlementProgress,
    WebhookError, WebhookNotice,
};
use crate::config::CalypsoConfig;
use crate::domain::currency::{Catalogue, Coin};
use crate::domain::now_ms;
use crate::domain::state_machine::Resolution;

/// How long Calypso holds a fiat rate: 15 minutes, 60 for BTC (its documentation).
fn fiat_rate_hold_ms(coin: &Coin) -> i64 {
    if coin.code == "BTC" {
        60 * 60_000
    } else {
        15 * 60_000
    }
}

/// An invoice we will not show: logged for the merchant with the reason, and returned as the
/// pick's provider error (the payer gets an error, never the address).
fn refused(request: &NewInvoice, why: String) -> anyhow::Error {
    tracing::warn!(
        checkout = %request.checkout_id,
        payment = %request.payment_id,
        coin = request.coin.code,
        network = request.coin.network,
        %why,
        "calypso invoice refused: not shown to the payer"
    );
    anyhow::Error::new(Declined(format!("calypso invoice refused: {why}")))
}

pub struct CalypsoProvider {
    client: CalypsoClient,
    config: CalypsoConfig,
    /// The subscription keys stored for our webhook URL, used when the configuration gives no
    /// webhook_secret.
    stored: Option<StoredKeys>,
}

impl CalypsoProvider {
    pub fn new(config: CalypsoConfig) -> anyhow::Result<CalypsoProvider> {
        let builtin = Catalogue::new(&Default::default());
        for coin in checks::unmapped(&config.currencies, builtin.all()) {
            tracing::warn!(
                coin = coin.code,
                network = coin.network,
                "no Calypso currency code for this token in [calypso.currencies]: payers who \
                 pick it get an error"
            );
        }
        Ok(CalypsoProvider {
            client: CalypsoClient::new(&config)?,
            config,
            stored: None,
        })
    }

    /// Verifies webhooks with the subscription stored for `url` in `keys` (unless the
    /// configuration's webhook_secret overrides it).
    pub fn with_stored_keys(mut self, keys: Arc<dyn KeyStore>, url: &str) -> CalypsoProvider {
        if self.config.webhook_secret.is_some() {
            tracing::info!("calypso webhooks are verified with the configured webhook_secret");
        }
        self.stored = Some(StoredKeys::new(keys, url.to_owned()));
        self
    }

    /// Creates the unlimited linked widget (the provider-hosted reusable link).
    pub async fn create_linked_widget(
        &self,
        widget: &NewLinkedWidget,
    ) -> anyhow::Result<LinkedWidget> {
        self.client.create_linked_widget(widget).await
    }

    /// The widget with the invoices its payers opened (one per coin picked).
    pub async fn find_linked_widget(&self, key: &str) -> anyhow::Result<LinkedWidget> {
        self.client.find_linked_widget(key).await
    }
}

#[async_trait]
impl Provider for CalypsoProvider {
    fn name(&self) -> &'static str {
        "calypso"
    }

    async fn quote(&self, _coin: &Coin, _fiat: &str) -> anyhow::Result<Option<Quote>> {
        // SINGLE_FIAT: Calypso converts, and its invoice tells the amount.
        Ok(None)
    }

    async fn create_invoice(&self, request: &NewInvoice) -> anyhow::Result<InvoiceSnapshot> {
        let code = checks::currency_code(&self.config.currencies, &request.coin)
            .map_err(|why| refused(request, why))?;
        let invoice = self.client.create_invoice(request, code.clone()).await?;
        checks::created_invoice(&invoice, request, &code).map_err(|why| refused(request, why))?;
        let key = idempotency_key(&request.payment_id);
        let mut snapshot = mapping::snapshot(&invoice, &key, request.coin.decimals);
        if request.amount.is_none() {
            if snapshot.amount.is_none_or(|a| a.is_zero()) {
                return Err(Declined(
                    "calypso create invoice: the fiat invoice has no amount".into(),
                )
                .into());
            }
            snapshot.rate_expires_at_ms = Some(now_ms() + fiat_rate_hold_ms(&request.coin));
        }
        Ok(snapshot)
    }

    async fn fetch_invoice(
        &self,
        provider_ref: &str,
        decimals: u8,
    ) -> anyhow::Result<InvoiceSnapshot> {
        let invoice = self.client.invoice(provider_ref).await?;
        Ok(mapping::snapshot(&invoice, provider_ref, decimals))
    }

    async fn verify_webhook(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), WebhookError> {
        match (&self.config.webhook_secret, &self.stored) {
            (Some(secret), _) => {
                webhook::verify(secret, self.config.webhook_key.as_ref(), headers, body)
            }
            (None, Some(stored)) => stored.verify(headers, body).await,
            // No keys anywhere: nothing can be verified, so nothing is accepted.
            (None, None) => Err(WebhookError::BadSignature),
        }
    }

    fn parse_webhook(&self, body: &[u8]) -> Result<WebhookNotice, WebhookError> {
        webhook::parse(body)
    }

    async fn resolve_conflict(
        &self,
        provider_ref: &str,
        resolution: Resolution,
    ) -> anyhow::Result<SettlementProgress> {
        let invoice = self.client.invoice(provider_ref).await?;
        let step = next_step(&invoice, resolution)?;
        let sent = match step {
            Step::Done => return Ok(SettlementProgress::Settled),
            Step::WaitForCompleted => return Ok(SettlementProgress::AwaitingProvider),
            Step::ReturnToPaid(id) => self.client.return_to_paid(id).await,
            Step::CloseIntervention(id) => self.client.close_intervention(id).await,
        };
        let Err(error) = sent else {
            return Ok(match step {
                Step::ReturnToPaid(_) => SettlementProgress::AwaitingProvider,
                _ => SettlementProgress::Settled,
            });
        };
        // The call may have taken effect with its answer lost: the invoice says. Only a step
        // it shows as taken counts; otherwise the call's own error is the answer.
        let again = self.client.invoice(provider_ref).await?;
        match next_step(&again, resolution) {
            Ok(next) if next != step => Ok(progress_after(next)),
            _ => Err(error),
        }
    }
}

/// Where a settlement stands once a step's answer was lost but the invoice shows it taken.
fn progress_after(next: Step<'_>) -> SettlementProgress {
    match next {
        Step::Done => SettlementProgress::Settled,
        // Returned to paid: the last step is taken on a later re-read, like after an answer.
        _ => SettlementProgress::AwaitingProvider,
    }
}

/// The next call that settles an intervention, read from the invoice alone (so asking again
/// after a restart, or after a lost answer, never repeats a step Calypso already took).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step<'a> {
    /// No open intervention (a CONFLICT of our own tolerances, or one already closed).
    Done,
    /// Returned to paid, not yet COMPLETED: close-intervention must wait (documented order).
    WaitForCompleted,
    ReturnToPaid(&'a str),
    CloseIntervention(&'a str),
}

fn next_step(invoice: &Invoice, resolution: Resolution) -> anyhow::Result<Step<'_>> {
    // Assumption: the invoice keeps its interventionType after return-to-paid, and
    // isInterventionResolved turns true only with close-intervention.
    let open =
        invoice.intervention_type.is_some() && invoice.is_intervention_resolved != Some(true);
    let Some(id) = invoice.id.as_deref().filter(|_| open) else {
        return Ok(Step::Done);
    };
    let state = invoice.state.as_deref().unwrap_or("");
    Ok(match (state, resolution) {
        ("PENDING_INTERVENTION", Resolution::MarkPaid) => Step::ReturnToPaid(id),
        // CLOSE settles with the payer without taking the funds: the invoice stays
        // PENDING_INTERVENTION at Calypso (the merchant refunds the payer there).
        ("PENDING_INTERVENTION", Resolution::Close) => Step::CloseIntervention(id),
        ("PAID", Resolution::MarkPaid) => Step::WaitForCompleted,
        ("COMPLETED", Resolution::MarkPaid) => Step::CloseIntervention(id),
        ("PAID" | "COMPLETED", Resolution::Close) => anyhow::bail!(
            "calypso invoice {id} was already returned to paid (the funds went to the \
             merchant): resolve with MARK_PAID"
        ),
        (other, _) => anyhow::bail!(
            "calypso invoice {id} is {other} with an open intervention: nothing to settle yet"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invoice(state: &str, intervention: Option<&str>, resolved: bool) -> Invoice {
        Invoice {
            id: Some("7".into()),
            state: Some(state.into()),
            intervention_type: intervention.map(Into::into),
            is_intervention_resolved: Some(resolved),
            ..Invoice::default()
        }
    }

    #[test]
    fn the_next_step_follows_the_documented_order_and_never_repeats_one_taken() {
        use Resolution::{Close, MarkPaid};
        let over = Some("OVERPAY");
        let step = |state, resolved, action| {
            next_step(&invoice(state, over, resolved), action).map(|s| format!("{s:?}"))
        };
        assert_eq!(
            step("PENDING_INTERVENTION", false, MarkPaid).unwrap(),
            r#"ReturnToPaid("7")"#
        );
        assert_eq!(step("PAID", false, MarkPaid).unwrap(), "WaitForCompleted");
        assert_eq!(
            step("COMPLETED", false, MarkPaid).unwrap(),
            r#"CloseIntervention("7")"#
        );
        assert_eq!(step("COMPLETED", true, MarkPaid).unwrap(), "Done");
        // CLOSE takes no funds: only close-intervention, on the held invoice.
        assert_eq!(
            step("PENDING_INTERVENTION", false, Close).unwrap(),
            r#"CloseIntervention("7")"#
        );
        assert_eq!(step("PENDING_INTERVENTION", true, Close).unwrap(), "Done");
        // Funds already returned to the merchant cannot be closed as not taken.
        assert!(step("PAID", false, Close).is_err());
        assert!(step("ARCHIVED", false, MarkPaid).is_err());
        // A CONFLICT of our own tolerances: Calypso has nothing to settle.
        let plain = invoice("PAID", None, false);
        assert_eq!(next_step(&plain, MarkPaid).unwrap(), Step::Done);
    }
}
