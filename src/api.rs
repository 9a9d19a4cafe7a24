//! The widget's only way to the server.
//!
//! JSON goes through the browser's own parser (`Response.json()` / `JSON.stringify`) and the
//! readers in [`crate::wire`], which keeps a JSON library out of the wasm: the payer downloads
//! less. Every request carries the element's abort signal, so removing the element cancels it.

use std::fmt;
use std::future::Future;
use std::rc::Rc;

use crate::server_url::checkout_url;
use crate::wire;
use protocol::{api, CheckoutView, PickCurrencyRequest, StatusView, TestAction};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, RequestMode, Response};

#[wasm_bindgen(inline_js = r#"
export function take_prefetched(url) {
  const all = window.__checkoutWidgetPrefetch;
  if (!all || !Object.prototype.hasOwnProperty.call(all, url)) return undefined;
  const response = all[url];
  delete all[url];
  return response;
}
"#)]
extern "C" {
    /// The loader's answer for `url`, if it asked for one that nobody has taken yet:
    /// a promise of `{ status, body }`, the body already parsed (missing when it was not
    /// JSON); `undefined` otherwise. Each is taken once, so a reload asks again.
    fn take_prefetched(url: &str) -> JsValue;
}

/// Why a request failed, in terms the views can explain to a payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer: offline, server down, or blocked by the page's policy.
    Network,
    /// The server answered with an error; `message` is its explanation.
    Server {
        status: u16,
        code: String,
        message: String,
    },
    /// The answer was not what this version of the widget understands.
    Unexpected(String),
    /// The element was removed; nobody is waiting for the answer.
    Aborted,
}

/// The server's code for a provider that refused a payment (a 502 that retrying cannot fix).
pub const PROVIDER_REFUSED: &str = "provider_refused";

impl ApiError {
    /// Worth retrying as is (as opposed to a request the server refused on its merits).
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Network | ApiError::Unexpected(_) => true,
            ApiError::Server { code, .. } if code == PROVIDER_REFUSED => false,
            ApiError::Server { status, .. } => *status >= 500 || *status == 429,
            ApiError::Aborted => false,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Network => f.write_str("network error"),
            ApiError::Server { message, .. } => f.write_str(message),
            ApiError::Unexpected(what) => {
                f.write_str("unexpected response: ")?;
                f.write_str(what)
            }
            ApiError::Aborted => f.write_str("aborted"),
        }
    }
}

/// A client bound to one server and one element's lifetime. Cheap to clone.
#[derive(Clone)]
pub struct Api {
    base: Rc<str>,
    abort: AbortController,
}

impl Api {
    /// `base` is the server's origin (or origin + path prefix), without a trailing slash.
    pub fn new(base: &str) -> Api {
        Api {
            base: base.trim_end_matches('/').into(),
            abort: AbortController::new()
                .expect("AbortController is available in every browser we support"),
        }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Cancels every request made through this client, now and later.
    pub fn abort_all(&self) {
        self.abort.abort();
    }

    // The requests that answer with a checkout all return the one future of
    // [`Api::checkout_request`]: each distinct future is its own state machine in the download.

    pub fn checkout(&self, id: &str) -> impl Future<Output = Result<CheckoutView, ApiError>> + '_ {
        // The URL widget.js may have prefetched: built by the rule it follows.
        self.checkout_request("GET", checkout_url(&self.base, id), None)
    }

    /// Opens a reusable payment link: the server creates a fresh checkout for this payer.
    pub fn open_widget(
        &self,
        key: &str,
    ) -> impl Future<Output = Result<CheckoutView, ApiError>> + '_ {
        self.checkout_request("POST", self.url(&api::widget_checkout(key)), None)
    }

    pub fn pick_currency(
        &self,
        id: &str,
        pick: &PickCurrencyRequest,
    ) -> impl Future<Output = Result<CheckoutView, ApiError>> + '_ {
        let body = wire::pick_request(pick);
        self.checkout_request("POST", self.url(&api::payment(id)), Some(body))
    }

    /// A demo's test control (only offered when the checkout says `testControls`).
    pub fn test_action(
        &self,
        id: &str,
        action: TestAction,
    ) -> impl Future<Output = Result<CheckoutView, ApiError>> + '_ {
        let body = wire::test_action_request(action);
        self.checkout_request("POST", self.url(&api::test_actions(id)), Some(body))
    }

    pub async fn status(&self, id: &str) -> Result<StatusView, ApiError> {
        let json = self
            .request("GET", &self.url(&api::status(id)), None)
            .await?;
        read(&json, wire::status_view)
    }

    async fn checkout_request(
        &self,
        method: &'static str,
        url: String,
        body: Option<JsValue>,
    ) -> Result<CheckoutView, ApiError> {
        let json = self.request(method, &url, body.as_ref()).await?;
        read(&json, wire::checkout)
    }

    /// The URL of the live status stream, for an `EventSource`.
    pub fn events_url(&self, id: &str) -> String {
        self.url(&api::events(id))
    }

    /// Any JSON document (a locale file), with this client's abort signal.
    pub async fn get_json(&self, url: &str) -> Result<JsValue, ApiError> {
        self.fetch("GET", url, None)
            .await
            .and_then(|(status, json)| {
                if is_success(status) {
                    json
                } else {
                    Err(ApiError::Network)
                }
            })
    }

    /// `path` on this client's server.
    fn url(&self, path: &str) -> String {
        let mut url = self.base.to_string();
        url.push_str(path);
        url
    }

    /// One request's answer, as the browser parsed it; a server's error becomes [`ApiError`].
    async fn request(
        &self,
        method: &str,
        url: &str,
        body: Option<&JsValue>,
    ) -> Result<JsValue, ApiError> {
        let (status, json) = self.fetch(method, url, body).await?;
        if !is_success(status) {
            let error = json.ok().and_then(|v| wire::error_detail(&v).ok());
            return Err(match error {
                Some(error) => ApiError::Server {
                    status,
                    code: error.code,
                    message: error.message,
                },
                None => ApiError::Server {
                    status,
                    code: "http_error".into(),
                    message: String::new(),
                },
            });
        }
        json
    }

    /// One request: its HTTP status, and the body as parsed by the browser.
    async fn fetch(
        &self,
        method: &str,
        url: &str,
        body: Option<&JsValue>,
    ) -> Result<(u16, Result<JsValue, ApiError>), ApiError> {
        if self.abort.signal().aborted() {
            return Err(ApiError::Aborted);
        }
        let prefetched = if method == "GET" {
            take_prefetched(url)
        } else {
            JsValue::UNDEFINED
        };
        if !prefetched.is_undefined() {
            return self.prefetched_answer(&prefetched).await;
        }
        let response = self.send(method, url, body).await?;
        let json = match response.json() {
            Ok(promise) => JsFuture::from(promise).await.map_err(|_| self.failure()),
            Err(_) => Err(ApiError::Unexpected("body".into())),
        };
        if matches!(json, Err(ApiError::Aborted)) {
            return Err(ApiError::Aborted);
        }
        Ok((response.status(), json))
    }

    /// Sends one request with this client's abort signal.
    async fn send(
        &self,
        method: &str,
        url: &str,
        body: Option<&JsValue>,
    ) -> Result<Response, ApiError> {
        let init = RequestInit::new();
        init.set_method(method);
        init.set_mode(RequestMode::Cors);
        init.set_signal(Some(&self.abort.signal()));
        if let Some(body) = body {
            let text =
                js_sys::JSON::stringify(body).map_err(|_| ApiError::Unexpected("body".into()))?;
            init.set_body(&text);
        }
        let request = Request::new_with_str_and_init(url, &init).map_err(|_| ApiError::Network)?;
        if body.is_some() {
            let _ = request.headers().set("Content-Type", "application/json");
        }
        let window = web_sys::window().ok_or(ApiError::Network)?;
        Ok(JsFuture::from(window.fetch_with_request(&request))
            .await
            .map_err(|_| self.failure())?
            .unchecked_into())
    }

    /// What the loader read for us: its status, and its body as the browser parsed it.
    async fn prefetched_answer(
        &self,
        answer: &JsValue,
    ) -> Result<(u16, Result<JsValue, ApiError>), ApiError> {
        let answer = JsFuture::from(js_sys::Promise::resolve(answer)).await;
        if self.abort.signal().aborted() {
            return Err(ApiError::Aborted);
        }
        let answer = answer.map_err(|_| ApiError::Network)?;
        let (status, body) =
            wire::prefetched_answer(&answer).map_err(|field| ApiError::Unexpected(field.into()))?;
        Ok((
            status,
            body.ok_or_else(|| ApiError::Unexpected("body".into())),
        ))
    }

    fn failure(&self) -> ApiError {
        if self.abort.signal().aborted() {
            ApiError::Aborted
        } else {
            ApiError::Network
        }
    }
}

impl fmt::Debug for Api {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Api").field("base", &self.base).finish()
    }
}

/// `json` read by `read`; what cannot be read is [`ApiError::Unexpected`].
fn read<T>(json: &JsValue, read: fn(&JsValue) -> wire::Result<T>) -> Result<T, ApiError> {
    read(json).map_err(|field| ApiError::Unexpected(field.into()))
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Decodes JSON text (an event stream's data) through the browser's parser.
pub fn decode_json_text<T>(
    text: &str,
    read: fn(&JsValue) -> wire::Result<T>,
) -> Result<T, ApiError> {
    let value = js_sys::JSON::parse(text).map_err(|_| ApiError::Unexpected("not JSON".into()))?;
    self::read(&value, read)
}
