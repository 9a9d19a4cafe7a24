//! Extractors whose rejections are [`AppError`]s, so a malformed body, query or path gets the
//! same JSON envelope as every other error, with the offending field named where possible.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use serde::de::DeserializeOwned;

use crate::error::AppError;

/// A JSON body. Unknown fields, wrong types and bad amounts are 400s naming the field;
/// a body over the limit is a 413.
pub struct AppJson<T>(pub T);

/// The exact bytes of the body (for signature checks), with the body limit as a 413.
pub struct RawBody(pub Bytes);

/// The single path parameter (a checkout id, payment id or widget key).
pub struct Id(pub String);

/// The `If-None-Match` values of a request (none when it has none), for a conditional GET.
/// Taken alone because axum's `HeaderMap` extractor clones every header of the request: two
/// allocations per status poll even for wrk's one header, more for a browser's dozen.
pub struct IfNoneMatch(Vec<HeaderValue>);

impl IfNoneMatch {
    /// Whether `etag` is among the tags (a list, weak forms and `*` included).
    pub fn matches(&self, etag: &str) -> bool {
        self.0
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(|t| t.trim().trim_start_matches("W/"))
            .any(|t| t == etag || t == "*")
    }
}

/// Query parameters; a bad one is a 400.
pub struct AppQuery<T>(pub T);

async fn body_bytes<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state).await.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::payload_too_large()
        } else {
            AppError::bad_request("invalid_body", "the request body could not be read")
        }
    })
}

impl<S: Send + Sync> FromRequest<S> for RawBody {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        Ok(RawBody(body_bytes(req, state).await?))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for AppJson<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        let bytes = body_bytes(req, state).await?;
        parse_json(&bytes).map(AppJson)
    }
}

/// Parses JSON, turning serde's error into a message that names the field by its JSON path.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::bad_request(
            "malformed_json",
            "the request body is empty; JSON expected",
        ));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if !inner.is_data() {
            return AppError::bad_request(
                "malformed_json",
                format!("the body is not valid JSON: {inner}"),
            );
        }
        // serde's message ends with " at line L column C"; the field path says more.
        let text = inner.to_string();
        let message = text.split(" at line ").next().unwrap_or(&text).to_owned();
        let field = if path == "." {
            missing_field(&message)
        } else {
            Some(path)
        };
        match field {
            Some(field) => AppError::invalid(&field, message),
            None => AppError::bad_request("invalid_body", message),
        }
    })?;
    de.end().map_err(|_| {
        AppError::bad_request("malformed_json", "unexpected data after the JSON value")
    })?;
    Ok(value)
}

/// `missing field `name`` -> `name`.
fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Path(id) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::not_found("no such resource"))?;
        Ok(Id(id))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IfNoneMatch {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let tags = parts.headers.get_all(header::IF_NONE_MATCH);
        Ok(IfNoneMatch(tags.iter().cloned().collect()))
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for AppQuery<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AppError> {
        let Query(value) = Query::<T>::from_request_parts(parts, state)
            .await
            .map_err(|e| AppError::bad_request("invalid_query", e.body_text()))?;
        Ok(AppQuery(value))
    }
}

/// The `limit` query parameter of a listing: 20 when absent, else a whole number from 1 to 100.
pub fn page_limit(text: Option<&str>) -> Result<u32, AppError> {
    match text {
        None => Ok(20),
        Some(text) => text
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| AppError::invalid("limit", "must be a whole number from 1 to 100")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::PickCurrencyRequest;

    #[test]
    fn if_none_match_takes_lists_weak_tags_and_the_wildcard() {
        let tags = |values: &[&str]| {
            IfNoneMatch(
                values
                    .iter()
                    .map(|v| HeaderValue::from_str(v).unwrap())
                    .collect(),
            )
        };
        assert!(tags(&["\"3\""]).matches("\"3\""));
        assert!(tags(&["\"1\", W/\"3\""]).matches("\"3\""));
        assert!(
            tags(&["\"1\"", "\"3\""]).matches("\"3\""),
            "repeated headers"
        );
        assert!(tags(&["*"]).matches("\"3\""));
        assert!(!tags(&["\"1\", \"2\""]).matches("\"3\""));
        assert!(!tags(&[]).matches("\"3\""));
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse_json::<PickCurrencyRequest>(
            br#"{"currency":"BTC","network":"BITCOIN","amout":"1"}"#,
        )
        .unwrap_err();
        assert!(e.message().contains("amout"), "{}", e.message());
        let e = parse_json::<PickCurrencyRequest>(
            br#"{"currency":"BTC","network":"BITCOIN","amount":"-1"}"#,
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("amount"));
        let e = parse_json::<PickCurrencyRequest>(br#"{"network":"BITCOIN"}"#).unwrap_err();
        assert_eq!(e.field(), Some("currency"));
        let e = parse_json::<PickCurrencyRequest>(br#"{"currency":1,"network":"B"}"#).unwrap_err();
        assert_eq!(e.field(), Some("currency"));
        let e = parse_json::<PickCurrencyRequest>(b"{not json").unwrap_err();
        assert_eq!(e.code(), "malformed_json");
        let e = parse_json::<PickCurrencyRequest>(b"").unwrap_err();
        assert_eq!(e.code(), "malformed_json");
    }
}
