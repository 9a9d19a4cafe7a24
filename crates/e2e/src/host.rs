//! The merchant's web site: pages on an origin other than the server's.
//!
//! Pages are served as `http://localhost:<port>/<name>` while the server is reached as
//! `http://127.0.0.1:<port>`, so every widget request is a real cross-origin request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

/// Loaded before the widget on pages that must do without server-sent events.
const NO_EVENT_SOURCE_JS: &str = "delete window.EventSource; window.EventSource = undefined;";

/// Records what the host page sees: every `statusChanged` event, console output and errors.
/// Served as an external script so it also runs on strict-CSP pages.
const RECORDER_JS: &str = r#"
window.__events = [];
window.__log = [];
document.addEventListener("statusChanged", function (e) {
  window.__events.push({ target: e.target.getAttribute("data-name") || e.target.id, detail: e.detail });
});
["log", "warn", "error"].forEach(function (level) {
  var original = console[level];
  console[level] = function () {
    window.__log.push(level + ": " + Array.prototype.map.call(arguments, String).join(" "));
    original.apply(console, arguments);
  };
});
window.addEventListener("error", function (e) { window.__log.push("uncaught: " + e.message); });
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + e.blockedURI);
});
// Every request the page makes, so journeys can prove that a removed widget went quiet.
window.__requests = [];
var originalFetch = window.fetch;
window.fetch = function (input, init) {
  window.__requests.push({ at: Date.now(), url: String(input && input.url || input) });
  return originalFetch.apply(this, arguments);
};
if (window.EventSource) {
  var OriginalEventSource = window.EventSource;
  window.EventSource = function (url, config) {
    window.__requests.push({ at: Date.now(), url: String(url), stream: true });
    return new OriginalEventSource(url, config);
  };
  window.EventSource.prototype = OriginalEventSource.prototype;
  window.EventSource.CONNECTING = 0; window.EventSource.OPEN = 1; window.EventSource.CLOSED = 2;
}
window.addEventListener("unhandledrejection", function (e) { window.__log.push("unhandled rejection: " + e.reason); });
"#;

#[derive(Clone)]
struct Page {
    html: String,
    csp: Option<String>,
}

#[derive(Clone, Default)]
struct Pages(Arc<Mutex<HashMap<String, Page>>>);

/// JSON answers by path, for the stand-in API (see [`HostSite::answer_json`]).
#[derive(Clone, Default)]
struct Answers(Arc<Mutex<HashMap<String, String>>>);

pub struct HostSite {
    pub port: u16,
    pages: Pages,
    answers: Answers,
    task: tokio::task::JoinHandle<()>,
}

impl HostSite {
    pub async fn start() -> HostSite {
        let pages = Pages::default();
        let answers = Answers::default();
        let stand_in = Router::new()
            .route("/api/{*rest}", get(answer))
            .with_state(answers.clone());
        let app = Router::new()
            .route("/recorder.js", get(recorder))
            .route("/no-event-source.js", get(no_event_source))
            .route("/{name}", get(page))
            .with_state(pages.clone())
            .merge(stand_in);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        HostSite {
            port,
            pages,
            answers,
            task,
        }
    }

    pub fn origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    /// Publishes a page whose body is `body`, with the recorder and the widget's script tag.
    /// Returns its URL.
    pub fn page(&self, name: &str, widget_js: &str, body: &str, csp: Option<&str>) -> String {
        self.page_with(name, widget_js, "", body, csp)
    }

    /// As [`HostSite::page`], with extra `head` markup before the widget's script tag (e.g.
    /// `<script src="/no-event-source.js"></script>`).
    pub fn page_with(
        &self,
        name: &str,
        widget_js: &str,
        head: &str,
        body: &str,
        csp: Option<&str>,
    ) -> String {
        let html = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>Merchant page</title>\
             <script src=\"/recorder.js\"></script>{head}\
             <script src=\"{widget_js}\"></script></head><body>{body}</body></html>"
        );
        self.pages.0.lock().unwrap().insert(
            name.to_owned(),
            Page {
                html,
                csp: csp.map(str::to_owned),
            },
        );
        format!("{}/{name}", self.origin())
    }
}

impl HostSite {
    /// Answers `GET <path>` on this origin with `json`: a stand-in for the checkout server's
    /// public API, for views only a real provider produces (a widget given this origin as its
    /// `api-base` reads them here). Paths without an answer get 404, so a live stream falls back
    /// to polling the answered status.
    pub fn answer_json(&self, path: &str, json: String) {
        self.answers.0.lock().unwrap().insert(path.to_owned(), json);
    }
}

impl Drop for HostSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn no_event_source() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript")],
        NO_EVENT_SOURCE_JS,
    )
}

async fn recorder() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript")], RECORDER_JS)
}

async fn page(State(pages): State<Pages>, Path(name): Path<String>) -> Response {
    let Some(page) = pages.0.lock().unwrap().get(&name).cloned() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Some(csp) = page.csp {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp).expect("a valid CSP header"),
        );
    }
    (headers, page.html).into_response()
}

async fn answer(State(answers): State<Answers>, Path(rest): Path<String>) -> Response {
    let path = format!("/api/{rest}");
    match answers.0.lock().unwrap().get(&path).cloned() {
        Some(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
