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
    ("demo", paths::PUBLIC_TEST_ACTIONS),
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
            } else if *path == paths::PUBLIC_TEST_ACTIONS {
                state.config.demo && state.config.sandbox_enabled()
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
    drop_dangling_links(&mut doc);
    let mut text = serde_json::to_string_pretty(&doc).expect("a JSON value serializes");
    text.push('\n');
    Bytes::from(text)
}

/// Removes the response links to operations the document no longer has.
fn drop_dangling_links(doc: &mut Value) {
    let operations = |doc: &Value| -> Vec<String> {
        let Some(paths) = doc["paths"].as_object() else {
            return Vec::new();
        };
        paths
            .values()
            .filter_map(Value::as_object)
            .flat_map(|item| item.values())
            .filter_map(|op| op["operationId"].as_str().map(str::to_owned))
            .collect()
    };
    let present = operations(doc);
    let Some(paths) = doc["paths"].as_object_mut() else {
        return;
    };
    let responses = paths
        .values_mut()
        .filter_map(Value::as_object_mut)
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(Value::as_object_mut))
        .flat_map(|responses| responses.values_mut());
    for response in responses {
        if let Some(links) = response.get_mut("links").and_then(Value::as_object_mut) {
            links.retain(|_, link| {
                link["operationId"]
                    .as_str()
                    .is_some_and(|op| present.iter().any(|p| p == op))
            });
        }
    }
}

pub async fn document(served: Bytes) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], served)
}
