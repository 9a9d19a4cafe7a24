//! The OpenAPI 3.1 document, hand-written beside the code (`crates/server/openapi.json`). A test
//! checks that it lists exactly the routes in [`super::ROUTES`], and another that every entry
//! of that table is served by the router.

use axum::http::header;
use axum::response::IntoResponse;

pub const DOCUMENT: &str = include_str!("../../openapi.json");

pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}
