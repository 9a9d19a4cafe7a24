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
use crate::domain::checkout::{
    expiry_from_request, CheckoutRecord, CheckoutSpec, MerchantCheckoutView, PricingInput,
    TextInput,
};
use crate::domain::currency::CoinKey;
use crate::domain::state_machine::Resolution;
use crate::domain::{new_checkout_id, now_ms, rfc3339};
use crate::error::{AppError, AppResult};
use crate::service;
use crate::state::AppState;
use crate::store::{decode_cursor, encode_cursor, ListQuery, WidgetRecord};

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

fn checked_key(field: &str, value: Option<String>) -> AppResult<Option<String>> {
    match value {
        Some(v) if v.is_empty() || v.len() > 128 || v.chars().any(char::is_control) => Err(
            AppError::invalid(field, "must be 1 to 128 printable characters"),
        ),
        other => Ok(other),
    }
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
    let client_order_id = checked_key("clientOrderId", req.client_order_id)?;
    let spec = CheckoutSpec::build(
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
    service::check_price_is_payable(&state, &spec)?;
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    let expires_at = expiry_from_request(
        req.expires_at.as_deref(),
        ms(state.config.checkout_ttl),
        ms(state.config.max_checkout_ttl),
    )?;
    let now = now_ms();
    let mut record = CheckoutRecord::new(new_checkout_id(), spec, expires_at, now);
    record.client_order_id = client_order_id;
    let (record, created) = service::insert_checkout(&state, record).await?;
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
    let record = service::load(&state, &id).await?;
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
    let before = params
        .cursor
        .map(|c| {
            decode_cursor(&c)
                .ok_or_else(|| AppError::invalid("cursor", "is not a cursor this server issued"))
        })
        .transpose()?;
    let status = params
        .status
        .map(|s| {
            CheckoutStatus::parse(&s.to_ascii_uppercase())
                .ok_or_else(|| AppError::invalid("status", format!("unknown status {s:?}")))
        })
        .transpose()?;
    let query = ListQuery {
        limit: limit + 1,
        before,
        status,
    };
    let mut records = state.db.run(move |s| s.list_checkouts(&query)).await?;
    let more = records.len() > limit as usize;
    records.truncate(limit as usize);
    let next_cursor = more.then(|| records.last().map(encode_cursor)).flatten();
    Ok(Json(CheckoutList {
        items: records.iter().map(|r| merchant_view(&state, r)).collect(),
        next_cursor,
    }))
}

/// POST /api/v1/checkouts/{id}/cancel: from NEW, WAITING_PAYMENT or EXPIRED; a cancelled
/// checkout stays cancelled (200); anything with funds is a 409 (CONFLICT: use resolve).
pub async fn cancel_checkout(
    State(state): State<AppState>,
    Id(id): Id,
) -> AppResult<Json<MerchantCheckoutView>> {
    let record = service::cancel(&state, &id).await?;
    Ok(Json(merchant_view(&state, &record)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    action: Resolution,
}

/// POST /api/v1/checkouts/{id}/resolve: CONFLICT -> SUCCESS (MARK_PAID) or CANCELLED (CLOSE).
pub async fn resolve_checkout(
    State(state): State<AppState>,
    Id(id): Id,
    AppJson(req): AppJson<ResolveRequest>,
) -> AppResult<Json<MerchantCheckoutView>> {
    let record = service::resolve(&state, &id, req.action).await?;
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

fn widget_view(state: &AppState, w: WidgetRecord, checkouts: &[CheckoutRecord]) -> WidgetView {
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

/// Builds a widget record from a request; shared with the demo seeding.
pub fn widget_from_request(state: &AppState, req: CreateWidgetRequest) -> AppResult<WidgetRecord> {
    // Payers open checkouts with this key, so it must be unguessable: a random (v4) UUID.
    let key = uuid::Uuid::parse_str(&req.idempotency_key)
        .ok()
        .filter(|u| u.get_version() == Some(uuid::Version::Random))
        .ok_or_else(|| AppError::invalid("idempotencyKey", "must be a random (version 4) UUID"))?
        .to_string();
    let external_id = checked_key("externalId", req.external_id)?;
    let checkout_type = req.checkout_type.or(Some(if req.fixed_amount.is_some() {
        CheckoutType::FixedPrice
    } else {
        CheckoutType::NoPrice
    }));
    let spec = CheckoutSpec::build(
        TextInput {
            name: req.name,
            description: req.description,
            return_url: req.return_url,
            support_url: req.support_url,
            logo_url: req.logo_url,
        },
        PricingInput {
            checkout_type,
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
    service::check_price_is_payable(state, &spec)?;
    Ok(WidgetRecord {
        key,
        external_id,
        spec,
        created_at_ms: now_ms(),
    })
}

/// POST /api/v1/widgets: 201 new, 200 when the idempotency key exists (the stored widget).
pub async fn create_widget(
    State(state): State<AppState>,
    AppJson(req): AppJson<CreateWidgetRequest>,
) -> AppResult<Response> {
    let widget = widget_from_request(&state, req)?;
    let (widget, created) = service::insert_widget(&state, widget).await?;
    let key = widget.key.clone();
    let checkouts = state.db.run(move |s| s.widget_checkouts(&key)).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(widget_view(&state, widget, &checkouts))).into_response())
}

pub async fn get_widget(State(state): State<AppState>, Id(key): Id) -> AppResult<Json<WidgetView>> {
    let unknown = || AppError::not_found("no widget with this key");
    let key = uuid::Uuid::parse_str(&key)
        .map_err(|_| unknown())?
        .to_string();
    let lookup = key.clone();
    let widget = state
        .db
        .run(move |s| s.widget(&lookup))
        .await?
        .ok_or_else(unknown)?;
    let checkouts = state.db.run(move |s| s.widget_checkouts(&key)).await?;
    Ok(Json(widget_view(&state, widget, &checkouts)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SandboxPayRequest {
    amount: Amount,
}

/// POST /api/v1/sandbox/payments/{paymentId}/pay: a simulated transaction enters the mempool.
pub async fn sandbox_pay(
    State(state): State<AppState>,
    Id(payment_id): Id,
    AppJson(req): AppJson<SandboxPayRequest>,
) -> AppResult<Json<service::SandboxPayment>> {
    Ok(Json(
        service::sandbox_pay(&state, &payment_id, req.amount).await?,
    ))
}

/// The demo's two reusable widgets, created once.
pub async fn seed_demo_widgets(state: &AppState) -> AppResult<()> {
    let widgets = [
        serde_json::json!({
            "idempotencyKey": DEMO_DONATION_KEY,
            "externalId": "demo-donation",
            "name": "Demo donation",
            "description": "Pay any amount from 1 to 10000 USD (sandbox: no real funds move)",
            "type": "NO_PRICE",
            "amountCurrency": "USD",
            "minAmount": "1",
            "maxAmount": "10000",
        }),
        serde_json::json!({
            "idempotencyKey": DEMO_FIXED_KEY,
            "externalId": "demo-order",
            "name": "Demo order",
            "description": "A 25.00 USD order (sandbox: no real funds move)",
            "type": "FIXED_PRICE",
            "fixedAmount": {"amount": "25.00", "currency": "USD"},
        }),
    ];
    for w in widgets {
        let req: CreateWidgetRequest =
            serde_json::from_value(w).map_err(|e| AppError::internal(e.into()))?;
        let record = widget_from_request(state, req)?;
        service::insert_widget(state, record).await?;
    }
    Ok(())
}

/// `NO_PRICE`, USD 1 to 10000.
pub const DEMO_DONATION_KEY: &str = "5e1f0a3c-7d2b-4c8e-9a61-0d3b2f4e8c17";
/// `FIXED_PRICE`, 25.00 USD.
pub const DEMO_FIXED_KEY: &str = "8b6d2f40-3c1e-4a57-b9d8-61f0e2a4c935";
