//! Calypso's authentication: every call is a POST of `{timestamp, account, payload}`,
//! serialized once; `Sign` is the hex HMAC-SHA512 of exactly those bytes under the secret key.

use hmac::Hmac;
use serde::de::DeserializeOwned;
use serde::Serialize;
use sha2::Sha512;

use super::model::Envelope;
use crate::config::Secret;
use crate::domain::now_ms;
use crate::providers::http::HttpClient;
use crate::providers::webhook_auth::hex_mac;
use crate::providers::wire::unwrap_under;

/// Lower-case hex HMAC-SHA512 of `body` under `secret`.
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    hex_mac::<Hmac<Sha512>>(secret.expose().as_bytes(), body)
}

#[derive(Clone)]
pub struct CalypsoClient {
    pub(super) http: HttpClient,
    pub(super) base_url: String,
    pub(super) account: String,
    pub(super) api_key: Secret,
    pub(super) secret_key: Secret,
}

impl CalypsoClient {
    /// POSTs `payload` to `path` and reads the answer as `T`.
    pub async fn call<P: Serialize, T: DeserializeOwned>(
        &self,
        call: &'static str,
        path: &str,
        payload: P,
    ) -> anyhow::Result<T> {
        let body = serde_json::to_vec(&Envelope {
            timestamp: now_ms(),
            account: &self.account,
            payload,
        })?;
        // Retries resend the same signed bytes: well inside the provider's 3-minute window,
        // and creates carry an idempotency key.
        let signature = sign(&self.secret_key, &body);
        let url = format!("{}{path}", self.base_url);
        let answer = self
            .http
            .send(call, |c| {
                c.post(&url)
                    .header("Key", self.api_key.expose())
                    .header("Sign", &signature)
                    .header("Content-Type", "application/json")
                    .body(body.clone())
            })
            .await?;
        // Some calls (return-to-paid, close-intervention) may answer with an empty body.
        let answer: &[u8] = if answer.iter().all(u8::is_ascii_whitespace) {
            b"null"
        } else {
            &answer
        };
        unwrap_under(answer, &["data", "payload", "result"]).map_err(|e| e.context(call))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_test_vector() {
        let secret = Secret::new("b823a6b9ea72408583cef9ec8d67fa52");
        let signature = sign(&secret, br#"{"timestamp":1}"#);
        assert!(
            signature.starts_with("b16e9d45f49f2069becbc4f108b237bee588cfc353fe9501"),
            "{signature}"
        );
        assert_eq!(signature.len(), 128);
    }

    #[test]
    fn the_envelope_is_compact_and_in_the_documented_order() {
        let body = serde_json::to_vec(&Envelope {
            timestamp: 1,
            account: "acc",
            payload: serde_json::json!({"id": "x"}),
        })
        .unwrap();
        assert_eq!(
            body,
            br#"{"timestamp":1,"account":"acc","payload":{"id":"x"}}"#
        );
    }
}
