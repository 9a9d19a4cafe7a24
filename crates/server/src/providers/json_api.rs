//! The one way adapters call a provider's JSON API: the URL from the configured base, each
//! attempt signed afresh by the adapter's own scheme, the body sent as the exact bytes that
//! were signed, and the answer read (inside whichever envelope the provider wraps it in).

use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;

use super::http_client::HttpClient;
use super::wire::unwrap_under;
use crate::config::HttpSettings;

#[derive(Clone)]
pub struct JsonApi {
    http: HttpClient,
    base_url: String,
    /// The keys an answer may be wrapped under (read either way).
    envelopes: &'static [&'static str],
}

/// One request: its name in errors and logs, and what is sent.
pub struct Call<'a> {
    pub name: &'static str,
    pub method: Method,
    pub path: &'a str,
    pub body: Option<Vec<u8>>,
}

impl JsonApi {
    pub fn new(
        settings: HttpSettings,
        base_url: &str,
        envelopes: &'static [&'static str],
    ) -> anyhow::Result<JsonApi> {
        Ok(JsonApi {
            http: HttpClient::new(settings)?,
            base_url: base_url.to_owned(),
            envelopes,
        })
    }

    /// Sends `call`; `sign` adds the authentication headers to each attempt, given the full
    /// URL and the body bytes. An empty answer reads as JSON `null`.
    pub async fn call<T, S>(&self, call: Call<'_>, sign: S) -> anyhow::Result<T>
    where
        T: DeserializeOwned,
        S: Fn(RequestBuilder, &str, &[u8]) -> RequestBuilder,
    {
        let url = format!("{}{}", self.base_url, call.path);
        let body = call.body.as_deref();
        let answer = self
            .http
            .send(call.name, |client| {
                let request = client.request(call.method.clone(), &url);
                let request = sign(request, &url, body.unwrap_or_default());
                match body {
                    Some(bytes) => request
                        .header("Content-Type", "application/json")
                        .body(bytes.to_vec()),
                    None => request,
                }
            })
            .await?;
        let answer: &[u8] = if answer.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &answer
        };
        unwrap_under(answer, self.envelopes).map_err(|e| e.context(call.name))
    }
}
