//! The one HTTP client the provider adapters share: timeouts on every request, and retries with
//! exponential backoff on what may be transient (timeouts, connection failures, 5xx) — never on
//! a 4xx, which would only repeat a request the provider has already refused.

use std::time::Duration;

use anyhow::anyhow;

use super::refusal_reason;
use crate::config::HttpSettings;

/// Why a provider call failed. Messages name the call and the status, never a header or our
/// request body; a refusal carries the provider's own explanation, capped and on one line.
#[derive(Debug, thiserror::Error)]
pub enum CallError {
    /// `reason` is the provider's own explanation, as [`refusal_reason::reason_from_body`] reads it.
    #[error("{call}: the provider refused the request with HTTP {status}: {reason}")]
    Refused {
        call: &'static str,
        status: u16,
        reason: String,
    },
    #[error("{call}: the provider failed with HTTP {status} after {attempts} attempts")]
    ServerError {
        call: &'static str,
        status: u16,
        attempts: u32,
    },
    #[error("{call}: no answer after {attempts} attempts ({reason})")]
    Unreachable {
        call: &'static str,
        attempts: u32,
        reason: String,
    },
}

#[derive(Clone)]
pub struct HttpClient {
    client: reqwest::Client,
    settings: HttpSettings,
}

impl HttpClient {
    pub fn new(settings: HttpSettings) -> anyhow::Result<HttpClient> {
        let client = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| anyhow!("building the HTTP client: {e}"))?;
        Ok(HttpClient { client, settings })
    }

    /// Sends the request `build` makes, building it afresh for each attempt (so a nonce or a
    /// timestamp in a signature is fresh too), and returns the body of the 2xx answer.
    pub async fn send<F>(&self, call: &'static str, build: F) -> Result<Vec<u8>, CallError>
    where
        F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
    {
        let attempts = self.settings.retries.saturating_add(1);
        let mut last_status = None;
        let mut last_reason = String::new();
        for attempt in 0..attempts {
            if attempt > 0 {
                tokio::time::sleep(self.backoff(attempt)).await;
            }
            match build(&self.client).send().await {
                Ok(resp) => {
                    let status = resp.status();
                    if status.is_client_error() {
                        return Err(refused(call, status.as_u16(), resp).await);
                    }
                    if status.is_server_error() {
                        tracing::warn!(call, status = status.as_u16(), attempt, "provider 5xx");
                        last_status = Some(status.as_u16());
                        continue;
                    }
                    match resp.bytes().await {
                        Ok(body) if status.is_success() => return Ok(body.to_vec()),
                        Ok(_) => {
                            // 1xx/3xx: redirects are not followed to keep keys on one host.
                            return Err(CallError::Refused {
                                call,
                                status: status.as_u16(),
                                reason: "a redirect, which is not followed".into(),
                            });
                        }
                        Err(e) => {
                            tracing::warn!(call, attempt, "reading the provider's answer failed");
                            last_status = None;
                            last_reason = e.without_url().to_string();
                        }
                    }
                }
                Err(e) => {
                    let reason = if e.is_timeout() {
                        "timeout"
                    } else {
                        "connection"
                    };
                    tracing::warn!(call, attempt, reason, "provider unreachable");
                    last_status = None;
                    last_reason = reason.to_owned();
                }
            }
        }
        Err(match last_status {
            Some(status) => CallError::ServerError {
                call,
                status,
                attempts,
            },
            None => CallError::Unreachable {
                call,
                attempts,
                reason: last_reason,
            },
        })
    }

    /// `backoff * 2^(attempt-1)`, capped at 30 s, with up to a quarter added at random so that
    /// many clients do not retry in step.
    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .settings
            .backoff
            .saturating_mul(1u32 << (attempt - 1).min(16))
            .min(Duration::from_secs(30));
        let spread = (base.as_millis() / 4) as u64;
        let jitter = if spread == 0 {
            0
        } else {
            (uuid::Uuid::new_v4().as_u128() % u128::from(spread)) as u64
        };
        base + Duration::from_millis(jitter)
    }
}

/// A 4xx: read (a bounded part of) the provider's explanation and log it, since the merchant
/// needs to know what was refused and why while the payer only hears that it was.
async fn refused(call: &'static str, status: u16, resp: reqwest::Response) -> CallError {
    const LIMIT: usize = 16 * 1024;
    let body = resp.bytes().await.unwrap_or_default();
    let reason = refusal_reason::reason_from_body(&body[..body.len().min(LIMIT)]);
    tracing::warn!(call, status, reason = %reason, "the provider refused the request");
    CallError::Refused {
        call,
        status,
        reason,
    }
}
