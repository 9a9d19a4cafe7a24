//! Reusable widget keys: created by the merchant (idempotent on the key), looked up with the
//! checkouts opened from them, and opened by payers (each opening is a fresh checkout).

use super::checkouts::{self, fit_to_provider};
use crate::domain::checkout::CheckoutRecord;
use crate::domain::spec::{checked_reference, CheckoutSpec, PricingInput, TextInput};
use crate::domain::{new_checkout_id, now_ms};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::store::WidgetRecord;

/// What a merchant (or the demo) asks for when creating a widget key.
#[derive(Debug, Clone)]
pub struct NewWidget {
    /// The key itself: a random (v4) UUID, so payers cannot guess another merchant's key.
    pub idempotency_key: String,
    pub external_id: Option<String>,
    pub text: TextInput,
    pub pricing: PricingInput,
}

/// A widget and every checkout opened from it, oldest first.
pub struct WidgetWithCheckouts {
    pub widget: WidgetRecord,
    pub checkouts: Vec<CheckoutRecord>,
}

/// Validates and stores a widget; `false` when the key existed (the stored widget is returned).
pub async fn create(state: &AppState, new: NewWidget) -> AppResult<(WidgetWithCheckouts, bool)> {
    let record = validated(state, new)?;
    let (widget, created) = state.db.run(move |s| s.insert_widget(&record)).await?;
    Ok((with_checkouts(state, widget).await?, created))
}

fn validated(state: &AppState, new: NewWidget) -> AppResult<WidgetRecord> {
    let key = uuid::Uuid::parse_str(&new.idempotency_key)
        .ok()
        .filter(|u| u.get_version() == Some(uuid::Version::Random))
        .ok_or_else(|| AppError::invalid("idempotencyKey", "must be a random (version 4) UUID"))?
        .to_string();
    let external_id = checked_reference("externalId", new.external_id)?;
    let mut spec = CheckoutSpec::build(new.text, new.pricing, "Payment", &state.catalogue)?;
    fit_to_provider(state, &mut spec)?;
    Ok(WidgetRecord {
        key,
        external_id,
        spec,
        created_at_ms: now_ms(),
    })
}

/// The widget with this key (any spelling of the UUID), or 404.
async fn find(state: &AppState, key: &str) -> AppResult<WidgetRecord> {
    let unknown = || AppError::not_found("no widget with this key");
    let key = uuid::Uuid::parse_str(key)
        .map_err(|_| unknown())?
        .to_string();
    state
        .db
        .run(move |s| s.widget(&key))
        .await?
        .ok_or_else(unknown)
}

async fn with_checkouts(state: &AppState, widget: WidgetRecord) -> AppResult<WidgetWithCheckouts> {
    let key = widget.key.clone();
    let checkouts = state.db.run(move |s| s.widget_checkouts(&key)).await?;
    Ok(WidgetWithCheckouts { widget, checkouts })
}

/// The merchant's view of a widget key.
pub async fn get(state: &AppState, key: &str) -> AppResult<WidgetWithCheckouts> {
    let widget = find(state, key).await?;
    with_checkouts(state, widget).await
}

/// A payer opened a widget key: a fresh checkout with the widget's settings.
pub async fn open_checkout(state: &AppState, key: &str) -> AppResult<CheckoutRecord> {
    let widget = find(state, key).await?;
    let now = now_ms();
    let ttl = i64::try_from(state.config.checkout_ttl.as_millis()).unwrap_or(i64::MAX);
    let mut record =
        CheckoutRecord::new(new_checkout_id(), widget.spec, now.saturating_add(ttl), now);
    record.external_id = widget.external_id;
    record.widget_key = Some(widget.key);
    Ok(checkouts::insert(state, record).await?.0)
}
