//! A local stand-in for a provider's HTTP API: an axum app on port 0 that records every
//! request, checks it against the provider's documented rules (the provider-specific `logic`
//! returns `Err` for anything undocumented, which the test then fails on), and answers with
//! documented shapes. Faults (5xx, delays past the client's timeout, malformed JSON) are
//! queued by the test and consumed one per request.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::IntoResponse;

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    /// Path and query, as sent.
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Debug, Clone)]
pub enum Fault {
    Status(u16),
    /// A refusal with the provider's own JSON explanation.
    Refuse(u16, &'static str),
    Delay(Duration),
    Body(&'static str),
}

/// `Ok((status, body))`, or `Err(what the request got wrong)`.
pub type Logic<S> = fn(&mut S, &Recorded, &str) -> Result<(u16, String), String>;

struct Inner<S> {
    state: S,
    logic: Logic<S>,
    requests: Vec<Recorded>,
    faults: VecDeque<Fault>,
    violations: Vec<String>,
}

pub struct Emulator<S> {
    pub base: String,
    inner: Arc<Mutex<Inner<S>>>,
}

async fn handle<S: Send + 'static>(
    State(inner): State<Arc<Mutex<Inner<S>>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> axum::response::Response {
    let recorded = Recorded {
        method,
        path: uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        headers,
        body: body.to_vec(),
    };
    let base = format!("http://{}", recorded.header("host").unwrap_or_default());
    let fault = {
        let mut inner = inner.lock().unwrap();
        inner.requests.push(recorded.clone());
        inner.faults.pop_front()
    };
    match fault {
        Some(Fault::Status(code)) => {
            return (
                StatusCode::from_u16(code).unwrap(),
                "{\"error\":\"injected\"}",
            )
                .into_response()
        }
        Some(Fault::Refuse(code, body)) => {
            return (
                StatusCode::from_u16(code).unwrap(),
                [("content-type", "application/json")],
                body,
            )
                .into_response()
        }
        Some(Fault::Body(text)) => return (StatusCode::OK, text).into_response(),
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        None => {}
    }
    let mut inner = inner.lock().unwrap();
    let logic = inner.logic;
    match logic(&mut inner.state, &recorded, &base) {
        Ok((code, body)) => (
            StatusCode::from_u16(code).unwrap(),
            [("content-type", "application/json")],
            body,
        )
            .into_response(),
        Err(violation) => {
            inner.violations.push(format!(
                "{} {}: {violation}",
                recorded.method, recorded.path
            ));
            (StatusCode::BAD_REQUEST, "{\"error\":\"violation\"}").into_response()
        }
    }
}

impl<S: Send + 'static> Emulator<S> {
    pub async fn start(state: S, logic: Logic<S>) -> Emulator<S> {
        let inner = Arc::new(Mutex::new(Inner {
            state,
            logic,
            requests: Vec::new(),
            faults: VecDeque::new(),
            violations: Vec::new(),
        }));
        let app = axum::Router::new()
            .fallback(handle::<S>)
            .with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Emulator { base, inner }
    }

    pub fn with<R>(&self, f: impl FnOnce(&mut S) -> R) -> R {
        f(&mut self.inner.lock().unwrap().state)
    }

    pub fn fault(&self, fault: Fault) {
        self.inner.lock().unwrap().faults.push_back(fault);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.inner.lock().unwrap().requests.clone()
    }

    /// Requests to `path` (query ignored), in order.
    pub fn requests_to(&self, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.path.split('?').next() == Some(path))
            .collect()
    }

    /// Fails the test if any request broke the provider's documented rules.
    pub fn assert_clean(&self) {
        let inner = self.inner.lock().unwrap();
        assert!(
            inner.violations.is_empty(),
            "requests that break the documented API: {:#?}",
            inner.violations
        );
    }
}

/// Whether `text` is a JSON number (not a string holding one).
pub fn is_json_number(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_digit())
}
