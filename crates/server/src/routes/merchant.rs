//! The merchant API: bearer secret key, Inqud's checkout field names, Calypso's reusable widget.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::{Amount, CheckoutStatus, CheckoutType, Money};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::extract::{page_limit, AppJson, AppQuery, Id};
use protocol::merchant::MerchantCheckoutView;

use crate::domain::checkout::CheckoutRecord;
use crate::domain::currency::CoinKey;
use crate::domain::spec::{
    checked_reference, expiry_from_request, CheckoutSpec, PricingInput, TextInput,
};
use crate::domain::state_machine::Resolution;
use crate::domain::{new_checkout_id, now_ms, rfc3339};
use crate::error::{AppError, AppResult};
use crate::services::reconcile::{self, ReconcileReport};
use crate::services::sandbox::SandboxPayment;
use crate::services::widgets::{NewWidget, WidgetWithCheckouts};
use crate::services::{checkouts, resolve, sandbox, widgets};
use crate::state::AppState;

/// Compares digests, not the strings, so neither the content nor the length of the key leaks
/// through timing.
fn key_matches(given: &str, expected: &str) -> bool {
    let a = Sha256::digest(given.as_bytes());
    let b = Sha256::digest(expected.as_bytes());
    a.ct_eq(&b).into()
}

/// Refuses every merchant route without `Authorization: Bearer <merchant key>`.
pub async fn require_merchant(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let authorised = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|token| key_matches(token.trim(), state.config.merchant_api_key.expose()));
    if authorised {
        return next.run(req).await;
    }
    let mut response =
        AppError::unauthorized("a valid merchant API key is required: Authorization: Bearer <key>")
            .into_response();
    response
        .headers_mut()
        .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
    response
}

/// Inqud's create-checkout body, field names as they are.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCheckoutRequest {
    client_order_id: Option<String>,
    expires_at: Option<String>,
    name: String,
    description: Option<String>,
    return_url: Option<String>,
    support_url: Option<String>,
    logo_url: Option<String>,
    #[serde(rename = "type")]
    checkout_type: CheckoutType,
    fixed_amount: Option<Money>,
    amount_currency: Option<String>,
    min_amount: Option<Amount>,
    max_amount: Option<Amount>,
    suggested_amounts: Option<Vec<Amount>>,
    currencies: Option<Vec<CoinKey>>,
}

fn merchant_view(state: &AppState, record: &CheckoutRecord) -> MerchantCheckoutView {
    record.merchant_view(&state.catalogue)
}

/// POST /api/v1/checkouts: 201 with the new checkout, or 200 with the one already created for
/// the same `clientOrderId`.
pub async fn create_checkout(
    State(state): State<AppState>,
    AppJson(req): AppJson<CreateCheckoutRequest>,
) -> AppResult<Response> {
    let client_order_id = checked_reference("clientOrderId", req.client_order_id)?;
    let mut spec = CheckoutSpec::build(
        TextInput {
            name: Some(req.name),
            description: req.description,
            return_url: req.return_url,
            support_url: req.support_url,
            logo_url: req.logo_url,
        },
        PricingInput {
            checkout_type: Some(req.checkout_type),
            fixed_amount: req.fixed_amount,
            amount_currency: req.amount_currency,
            min_amount: req.min_amount,
            max_amount: req.max_amount,
            suggested_amounts: req.suggested_amounts,
            currencies: req.currencies,
        },
        "Payment",
        &state.catalogue,
    )?;
    checkouts::fit_to_provider(&state, &mut spec)?;
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let expires_at = expiry_from_request(
        req.expires_at.as_deref(),
        ms(state.config.checkout_ttl),
        ms(state.config.max_checkout_ttl),
    )?;
    let now = now_ms();
    let mut record = CheckoutRecord::new(new_checkout_id(), spec, expires_at, now);
    record.client_order_id = client_order_id;
    let (record, created) = checkouts::insert(&state, record).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(merchant_view(&state, &record))).into_response())
}

pub async fn get_checkout(
    State(state): State<AppState>,
    Id(id): Id,
) -> AppResult<Json<MerchantCheckoutView>> {
    let record = checkouts::load(&state, &id).await?;
    Ok(Json(merchant_view(&state, &record)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListParams {
    limit: Option<String>,
    cursor: Option<String>,
    status: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutList {
    items: Vec<MerchantCheckoutView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

/// GET /api/v1/checkouts?limit=&cursor=&status=: newest first.
pub async fn list_checkouts(
    State(state): State<AppState>,
    AppQuery(params): AppQuery<ListParams>,
) -> AppResult<Json<CheckoutList>> {
    let limit = page_limit(params.limit.as_deref())?;
    let status = params
        .status
        .map(|s| {
            CheckoutStatus::parse(&s.to_ascii_uppercase())
                .ok_or_else(|| AppError::invalid("status", format!("unknown status {s:?}")))
        })
        .transpose()?;
    let page = checkouts::list(&state, limit, params.cursor.as_deref(), status).await?;
    Ok(Json(CheckoutList {
        items: page
            .items
            .iter()
            .map(|r| merchant_view(&state, r))
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// POST /api/v1/checkouts/{id}/cancel: from NEW, WAITING_PAYMENT or EXPIRED; a cancelled
/// checkout stays cancelled (200); anything with funds is a 409 (CONFLICT: use resolve).
pub async fn cancel_checkout(
    State(state): State<AppState>,
    Id(id): Id,
) -> AppResult<Json<MerchantCheckoutView>> {
    let record = checkouts::cancel(&state, &id).await?;
    Ok(Json(merchant_view(&state, &record)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    action: Resolution,
}

/// POST /api/v1/checkouts/{id}/resolve: CONFLICT -> SUCCESS (MARK_PAID) or CANCELLED (CLOSE),
/// once the provider holding the funds did its part (see `services::resolve`).
pub async fn resolve_checkout(
    State(state): State<AppState>,
    Id(id): Id,
    AppJson(req): AppJson<ResolveRequest>,
) -> AppResult<Json<MerchantCheckoutView>> {
    let record = resolve::resolve(&state, &id, req.action).await?;
    Ok(Json(merchant_view(&state, &record)))
}

/// Calypso's unlimited linked widget, with Inqud's pricing fields.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateWidgetRequest {
    idempotency_key: String,
    external_id: Option<String>,
    name: Option<String>,
    description: Option<String>,
    return_url: Option<String>,
    support_url: Option<String>,
    logo_url: Option<String>,
    #[serde(rename = "type")]
    checkout_type: Option<CheckoutType>,
    fixed_amount: Option<Money>,
    amount_currency: Option<String>,
    min_amount: Option<Amount>,
    max_amount: Option<Amount>,
    suggested_amounts: Option<Vec<Amount>>,
    currencies: Option<Vec<CoinKey>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetView {
    /// The widget key: what `<app-widget widget-key="…">` takes.
    key: String,
    idempotency_key: String,
    external_id: Option<String>,
    #[serde(rename = "type")]
    checkout_type: CheckoutType,
    name: String,
    description: Option<String>,
    price: Option<Money>,
    amount_currency: Option<String>,
    min_amount: Option<Amount>,
    max_amount: Option<Amount>,
    suggested_amounts: Vec<Amount>,
    currencies: Vec<CoinKey>,
    return_url: Option<String>,
    support_url: Option<String>,
    logo_url: Option<String>,
    created_at: String,
    /// Every checkout opened from this key, oldest first, each with all its payments.
    checkouts: Vec<MerchantCheckoutView>,
}

fn widget_view(state: &AppState, found: WidgetWithCheckouts) -> WidgetView {
    let WidgetWithCheckouts {
        widget: w,
        checkouts,
    } = found;
    WidgetView {
        idempotency_key: w.key.clone(),
        key: w.key,
        external_id: w.external_id,
        checkout_type: w.spec.checkout_type,
        name: w.spec.name,
        description: w.spec.description,
        price: w.spec.price,
        amount_currency: w.spec.amount_currency,
        min_amount: w.spec.min_amount,
        max_amount: w.spec.max_amount,
        suggested_amounts: w.spec.suggested_amounts,
        currencies: w.spec.currencies,
        return_url: w.spec.return_url,
        support_url: w.spec.support_url,
        logo_url: w.spec.logo_url,
        created_at: rfc3339(w.created_at_ms),
        checkouts: checkouts.iter().map(|c| merchant_view(state, c)).collect(),
    }
}

impl From<CreateWidgetRequest> for NewWidget {
    fn from(req: CreateWidgetRequest) -> NewWidget {
        // Without a type, a fixed amount means FIXED_PRICE and its absence NO_PRICE.
        let checkout_type = req.checkout_type.or(Some(if req.fixed_amount.is_some() {
            CheckoutType::FixedPrice
        } else {
            CheckoutType::NoPrice
        }));
        NewWidget {
            idempotency_key: req.idempotency_key,
            external_id: req.external_id,
            text: TextInput {
                name: req.name,
                description: req.description,
                return_url: req.return_url,
                support_url: req.support_url,
                logo_url: req.logo_url,
            },
            pricing: PricingInput {
                checkout_type,
                fixed_amount: req.fixed_amount,
                amount_currency: req.amount_currency,
                min_amount: req.min_amount,
                max_amount: req.max_amount,
                suggested_amounts: req.suggested_amounts,
                currencies: req.currencies,
            },
        }
    }
}

/// POST /api/v1/widgets: 201 new, 200 when the idempotency key exists (the stored widget).
pub async fn create_widget(
    State(state): State<AppState>,
    AppJson(req): AppJson<CreateWidgetRequest>,
) -> AppResult<Response> {
    let (found, created) = widgets::create(&state, req.into()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(widget_view(&state, found))).into_response())
}

pub async fn get_widget(State(state): State<AppState>, Id(key): Id) -> AppResult<Json<WidgetView>> {
    let found = widgets::get(&state, &key).await?;
    Ok(Json(widget_view(&state, found)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxPayRequest {
    amount: Amount,
}

/// GET /api/v1/reconciliation: the re-reading of open payments, how far behind it is, and which
/// providers keep failing.
pub async fn reconciliation(State(state): State<AppState>) -> AppResult<Json<ReconcileReport>> {
    Ok(Json(reconcile::report(&state).await?))
}

/// POST /api/v1/sandbox/payments/{paymentId}/pay: a simulated transaction enters the mempool.
pub async fn sandbox_pay(
    State(state): State<AppState>,
    Id(payment_id): Id,
    AppJson(req): AppJson<SandboxPayRequest>,
) -> AppResult<Json<SandboxPayment>> {
    Ok(Json(sandbox::pay(&state, &payment_id, req.amount).await?))
}
