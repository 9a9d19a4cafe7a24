//! Static files: the built widget under /widget/ (loadable from any merchant origin) and the
//! demo merchant pages under /examples/.

use std::path::Path;

use axum::extract::Request;
use axum::handler::HandlerWithoutStateExt;
use axum::http::{header, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::error::AppError;
use crate::state::AppState;

async fn asset_not_found() -> Response {
    AppError::not_found("no such file").into_response()
}

/// The content type by extension, for the types browsers are strict about (a module script or
/// `WebAssembly.instantiateStreaming` refuses anything else) and those guessed wrongly by default
/// (`.ts` is not an MPEG stream here).
fn content_type_for(path: &str) -> Option<&'static str> {
    let ext = path.rsplit('.').next()?;
    Some(match ext {
        "wasm" => "application/wasm",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "ts" => "text/plain; charset=utf-8",
        "json" | "map" => "application/json",
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        _ => return None,
    })
}

async fn fix_content_type(req: Request, next: Next) -> Response {
    let wanted = content_type_for(req.uri().path());
    let mut response = next.run(req).await;
    if let Some(ct) = wanted {
        if response.status().is_success() || response.status().as_u16() == 304 {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
    }
    response
}

/// Adds /widget/ and /examples/ (and the / redirect) when their directories are configured.
pub fn mount(
    mut router: Router<AppState>,
    dist: Option<&Path>,
    examples: Option<&Path>,
) -> Router<AppState> {
    if let Some(dist) = dist {
        let widget = Router::new()
            .fallback_service(
                ServeDir::new(dist)
                    .append_index_html_on_directories(true)
                    // `cargo xtask build` writes `<file>.br` and `<file>.gz` beside each file a
                    // payer downloads; served to browsers that accept them (all do), they cut
                    // the download to about a third. A file without them is served as it is.
                    .precompressed_br()
                    .precompressed_gzip()
                    .not_found_service(asset_not_found.into_service()),
            )
            .layer(middleware::from_fn(fix_content_type))
            // Any merchant origin must be able to load the widget (module scripts and wasm are
            // fetched in CORS mode).
            .layer(SetResponseHeaderLayer::overriding(
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ))
            // File names are stable, so caches must revalidate (cheap with ETag/Last-Modified).
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ))
            // The same URL answers brotli, gzip or plain bytes: caches must keep them apart.
            .layer(SetResponseHeaderLayer::overriding(
                header::VARY,
                HeaderValue::from_static("accept-encoding"),
            ));
        router = router.nest_service("/widget", widget);
    }
    if let Some(examples) = examples {
        let pages = Router::new()
            .fallback_service(
                ServeDir::new(examples)
                    .append_index_html_on_directories(true)
                    .not_found_service(asset_not_found.into_service()),
            )
            .layer(middleware::from_fn(fix_content_type))
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-cache"),
            ));
        router = router
            .nest_service("/examples", pages)
            .route("/", get(|| async { Redirect::to("/examples/") }));
    }
    router
}
