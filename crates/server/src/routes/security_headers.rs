//! Security headers, by what is served: the API's JSON, the demo pages, the widget's files.
//!
//! The pages get a policy that forbids framing by other sites, plugins and `<base>` tricks but
//! leaves scripts alone (the demo pages load the widget and run their own inline code). The
//! widget's files must stay loadable from any merchant's origin. API answers must not be
//! cached by shared caches nor rendered as a document.

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";
const PAGE_CSP: &str = "frame-ancestors 'self'; object-src 'none'; base-uri 'self'";

fn set(headers: &mut HeaderMap, name: HeaderName, value: &'static str) {
    headers
        .entry(name)
        .or_insert(HeaderValue::from_static(value));
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let mut response = next.run(req).await;
    let h = response.headers_mut();
    if path.starts_with("/widget/") || path == "/widget" {
        set(
            h,
            HeaderName::from_static("cross-origin-resource-policy"),
            "cross-origin",
        );
    } else if path.starts_with("/examples") || path == "/" {
        set(h, header::CONTENT_SECURITY_POLICY, PAGE_CSP);
        set(h, header::X_FRAME_OPTIONS, "SAMEORIGIN");
        set(
            h,
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        );
        set(
            h,
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=(), payment=()",
        );
    } else {
        set(h, header::CONTENT_SECURITY_POLICY, API_CSP);
        set(h, header::X_FRAME_OPTIONS, "DENY");
        set(h, header::CACHE_CONTROL, "no-store");
    }
    response
}
