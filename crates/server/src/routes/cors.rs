//! CORS for the public widget API, decided once when the router is built.
//!
//! Every open widget polls the status route, so this layer is on the hottest path the server
//! has. Each header value is made at start-up; a request costs a look-up of its `Origin` in the
//! allowlist and a few header inserts into the response, with no per-request header map or
//! joined string (tower-http's general `CorsLayer` builds both on every request: measured with
//! wrk, that was about a third of the status route's server time).
//!
//! What it answers is what the widget needs and no more: any origin (`*`) unless `cors_origins`
//! names the only ones (then the request's own origin, echoed only when listed), `GET` and
//! `POST`, the request headers the widget sends, `ETag` readable by the widget, preflights
//! answered here and cacheable for ten minutes, never credentials. Every response says which
//! request headers it varies by, so a shared cache never hands one origin's answer to another.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, Response};
use tower::{Layer, Service};

const VARY: HeaderValue = HeaderValue::from_static(
    "origin, access-control-request-method, access-control-request-headers",
);
const ANY_ORIGIN: HeaderValue = HeaderValue::from_static("*");
const ALLOW_METHODS: HeaderValue = HeaderValue::from_static("GET,POST");
const ALLOW_HEADERS: HeaderValue =
    HeaderValue::from_static("content-type,if-none-match,cache-control,last-event-id");
const EXPOSE_HEADERS: HeaderValue = HeaderValue::from_static("etag");
/// Ten minutes: how long a browser may reuse a preflight's answer.
const MAX_AGE: HeaderValue = HeaderValue::from_static("600");

/// Which origins may read the public API's answers.
enum Origins {
    Any,
    /// Exactly these (`scheme://host[:port]`, no trailing slash).
    Only(Vec<HeaderValue>),
}

/// The layer; cloning it shares the policy.
#[derive(Clone)]
pub struct PublicCors {
    origins: Arc<Origins>,
}

impl PublicCors {
    /// Any origin when `allowed` is empty, else exactly those (a trailing `/` is ignored).
    pub fn new(allowed: &[String]) -> PublicCors {
        let origins = if allowed.is_empty() {
            Origins::Any
        } else {
            Origins::Only(
                allowed
                    .iter()
                    .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok())
                    .collect(),
            )
        };
        PublicCors {
            origins: Arc::new(origins),
        }
    }

    /// The `Access-Control-Allow-Origin` a request from `origin` gets, if any.
    fn allow_origin(&self, origin: Option<&HeaderValue>) -> Option<HeaderValue> {
        match &*self.origins {
            Origins::Any => Some(ANY_ORIGIN),
            Origins::Only(list) => origin.filter(|o| list.contains(o)).cloned(),
        }
    }
}

impl<S> Layer<S> for PublicCors {
    type Service = Cors<S>;

    fn layer(&self, inner: S) -> Cors<S> {
        Cors {
            policy: self.clone(),
            inner,
        }
    }
}

/// The service [`PublicCors`] wraps each public route in.
#[derive(Clone)]
pub struct Cors<S> {
    policy: PublicCors,
    inner: S,
}

/// The headers every answer gets, preflight or not.
fn add_common(headers: &mut HeaderMap, allow_origin: Option<HeaderValue>) {
    // Appended: an inner layer may vary by other headers too.
    headers.append(header::VARY, VARY);
    if let Some(origin) = allow_origin {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    }
}

/// A preflight (any `OPTIONS` to a public route) is answered here, without the route.
fn preflight(allow_origin: Option<HeaderValue>) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    let headers = response.headers_mut();
    add_common(headers, allow_origin);
    headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, ALLOW_METHODS);
    headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, ALLOW_HEADERS);
    headers.insert(header::ACCESS_CONTROL_MAX_AGE, MAX_AGE);
    response
}

impl<S> Service<Request> for Cors<S>
where
    S: Service<Request, Response = Response<Body>>,
    S::Future: Unpin,
{
    type Response = Response<Body>;
    type Error = S::Error;
    type Future = CorsFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> CorsFuture<S::Future> {
        let allow_origin = self.policy.allow_origin(req.headers().get(header::ORIGIN));
        if req.method() == Method::OPTIONS {
            return CorsFuture::Preflight(Some(preflight(allow_origin)));
        }
        CorsFuture::Call {
            inner: self.inner.call(req),
            allow_origin,
        }
    }
}

/// The route's answer with the CORS headers added, or the preflight's.
pub enum CorsFuture<F> {
    Preflight(Option<Response<Body>>),
    Call {
        // Held as it is, not pinned on the heap: the futures axum makes for handlers and
        // middleware are boxed already, hence `Unpin` (the crate forbids the unsafe code that
        // pinning in place would take). One allocation fewer per request.
        inner: F,
        allow_origin: Option<HeaderValue>,
    },
}

impl<F, E> Future for CorsFuture<F>
where
    F: Future<Output = Result<Response<Body>, E>> + Unpin,
{
    type Output = Result<Response<Body>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            CorsFuture::Preflight(response) => {
                Poll::Ready(Ok(response.take().expect("polled after it was ready")))
            }
            CorsFuture::Call {
                inner,
                allow_origin,
            } => {
                let mut response = ready!(Pin::new(inner).poll(cx))?;
                let headers = response.headers_mut();
                add_common(headers, allow_origin.take());
                headers.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, EXPOSE_HEADERS);
                Poll::Ready(Ok(response))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use axum::http::StatusCode;
    use axum::routing::post;
    use axum::Router;
    use tower::ServiceExt;

    use super::*;

    const SHOP: &str = "https://shop.example";

    /// One POST route that adds a `Vary` of its own, behind the layer.
    fn app(allowed: &[&str]) -> Router {
        let allowed: Vec<String> = allowed.iter().map(|o| o.to_string()).collect();
        Router::new()
            .route(
                "/x",
                post(|| async { ([(header::VARY, "accept-encoding")], "ok") }),
            )
            .layer(PublicCors::new(&allowed))
    }

    async fn send(app: Router, method: Method, origin: Option<&str>) -> Response<Body> {
        let mut request = Request::builder().method(method).uri("/x");
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        app.oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    fn values(response: &Response<Body>, name: header::HeaderName) -> Vec<&str> {
        response
            .headers()
            .get_all(name)
            .iter()
            .map(|v| v.to_str().unwrap())
            .collect()
    }

    #[tokio::test]
    async fn a_listed_origin_is_echoed_with_vary_and_the_etag_exposed() {
        let response = send(
            app(&[SHOP, "https://other.example/"]),
            Method::POST,
            Some(SHOP),
        )
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            values(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            [SHOP]
        );
        assert_eq!(
            values(&response, header::ACCESS_CONTROL_EXPOSE_HEADERS),
            ["etag"]
        );
        // The route's own Vary stays beside the layer's.
        assert_eq!(
            values(&response, header::VARY),
            [
                "accept-encoding",
                "origin, access-control-request-method, access-control-request-headers"
            ]
        );
        assert!(!response
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_CREDENTIALS));
        // A trailing slash in the configuration is ignored.
        let other = send(
            app(&[SHOP, "https://other.example/"]),
            Method::POST,
            Some("https://other.example"),
        )
        .await;
        assert_eq!(
            values(&other, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            ["https://other.example"]
        );
    }

    #[tokio::test]
    async fn an_unlisted_or_missing_origin_gets_no_allow_origin_but_the_same_vary() {
        for origin in [Some("https://evil.example"), None] {
            let response = send(app(&[SHOP]), Method::POST, origin).await;
            assert_eq!(response.status(), StatusCode::OK);
            assert!(!response
                .headers()
                .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
            assert_eq!(values(&response, header::VARY).len(), 2);
        }
    }

    #[tokio::test]
    async fn any_origin_when_none_is_configured() {
        let response = send(app(&[]), Method::POST, Some("https://any.example")).await;
        assert_eq!(
            values(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            ["*"]
        );
    }

    #[tokio::test]
    async fn preflights_are_answered_by_the_layer_not_the_route() {
        // The route takes only POST: a 200 to OPTIONS can only come from the layer.
        let response = send(app(&[SHOP]), Method::OPTIONS, Some(SHOP)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(
            values(&response, header::ACCESS_CONTROL_ALLOW_ORIGIN),
            [SHOP]
        );
        assert_eq!(
            values(&response, header::ACCESS_CONTROL_ALLOW_METHODS),
            ["GET,POST"]
        );
        assert_eq!(
            values(&response, header::ACCESS_CONTROL_ALLOW_HEADERS),
            ["content-type,if-none-match,cache-control,last-event-id"]
        );
        assert_eq!(values(&response, header::ACCESS_CONTROL_MAX_AGE), ["600"]);
        assert_eq!(values(&response, header::VARY).len(), 1);
        assert!(!response
            .headers()
            .contains_key(header::ACCESS_CONTROL_EXPOSE_HEADERS));
        let refused = send(app(&[SHOP]), Method::OPTIONS, Some("https://evil.example")).await;
        assert!(!refused
            .headers()
            .contains_key(header::ACCESS_CONTROL_ALLOW_ORIGIN));
    }
}
