//! The OpenAPI 3.1 document, hand-written beside the code (`crates/server/openapi.json`). A test
//! checks that it lists exactly the routes in [`super::ROUTES`], and another that every entry
//! of that table is served by the router.
//!
//! The file describes every route a server can have; a running server serves it without the
//! routes its configuration leaves out (the webhook of a provider that is not configured, the
//! sandbox's routes when the sandbox is off), so the document it serves lists only what exists.

use axum::body::Bytes;
use axum::http::header;
use axum::response::IntoResponse;
use protocol::api::paths;
use serde_json::Value;

use crate::state::AppState;

pub const DOCUMENT: &str = include_str!("../../openapi.json");

/// The routes that exist only with their provider (or the sandbox), by provider name.
const CONFIGURED_ONLY: &[(&str, &str)] = &[
    ("sandbox", paths::WEBHOOK_SANDBOX),
    ("sandbox", paths::SANDBOX_PAY),
    ("calypso", paths::WEBHOOK_CALYPSO),
    ("inqud", paths::WEBHOOK_INQUD),
    ("coinsph", paths::WEBHOOK_COINSPH),
];

/// The document as this server serves it: [`DOCUMENT`] without the paths that answer 404 here.
pub fn served(state: &AppState) -> Bytes {
    let absent: Vec<&str> = CONFIGURED_ONLY
        .iter()
        .filter(|(name, path)| {
            let present = if *path == paths::SANDBOX_PAY {
                state.config.sandbox_enabled()
            } else {
                state.provider_named(name).is_some()
            };
            !present
        })
        .map(|(_, path)| *path)
        .collect();
    if absent.is_empty() {
        return Bytes::from_static(DOCUMENT.as_bytes());
    }
    let mut doc: Value = serde_json::from_str(DOCUMENT).expect("openapi.json is valid JSON");
    if let Some(listed) = doc["paths"].as_object_mut() {
        for path in absent {
            listed.remove(path);
        }
    }
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value serializes");
    text.push('\n');
    Bytes::from(text)
}

pub async fn document(served: Bytes) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], served)
}
