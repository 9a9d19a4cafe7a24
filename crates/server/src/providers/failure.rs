//! What a failed provider call means for the payer, and what the merchant's log says about it.
//!
//! Two kinds of failure must never be confused. A provider that could not be reached (a
//! timeout, a dropped connection, a 5xx) may answer the same request next time: the payer is
//! told to try again. A provider that answered and said no (a 4xx), or answered with something
//! our checks refuse (an address on the wrong network, another fiat price than asked), will say
//! the same again: retrying only repeats it, so the payer is told the payment cannot be opened
//! and the log says exactly what was refused and why.

use super::http_client::CallError;

/// How a provider failure reads to the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Timeouts, connection failures, 5xx: worth another try later.
    Unavailable,
    /// The provider refused the request, or its answer failed our checks.
    Refused,
}

/// A payment an adapter will not open: the provider's answer failed a check (another price,
/// coin or address format than asked: never shown to a payer), or the request cannot be made as
/// configured. The text names what was checked and what came back (never a secret).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Declined(pub String);

/// Classifies any error an adapter returned, looking through its context chain.
pub fn kind_of(error: &anyhow::Error) -> FailureKind {
    let refused = error.chain().any(|cause| {
        cause.is::<Declined>() || matches!(cause.downcast_ref(), Some(CallError::Refused { .. }))
    });
    if refused {
        FailureKind::Refused
    } else {
        FailureKind::Unavailable
    }
}

/// The most useful short text in a provider's error body, for the merchant's log: the value of
/// a usual message field (`message`, `error`, `detail`, `description`, `msg`, `errors`, at the
/// top or a few levels down), else the body itself when it is short plain text. Control characters
/// are dropped (a log line stays one line) and the text is capped.
pub fn reason_from_body(body: &[u8]) -> String {
    const CAP: usize = 300;
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(json) => message_in(&json, 0).unwrap_or_default(),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    let mut clean: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    if clean.chars().count() > CAP {
        clean = clean.chars().take(CAP).collect::<String>() + "…";
    }
    clean
}

const MESSAGE_FIELDS: [&str; 7] = [
    "message",
    "error_description",
    "error",
    "detail",
    "description",
    "msg",
    "errors",
];

fn message_in(json: &serde_json::Value, depth: u8) -> Option<String> {
    use serde_json::Value;
    match json {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Object(map) if depth < 3 => MESSAGE_FIELDS
            .iter()
            .filter_map(|field| map.get(*field))
            .find_map(|value| message_in(value, depth + 1)),
        Value::Array(items) if depth < 3 => {
            let parts: Vec<String> = items
                .iter()
                .filter_map(|item| message_in(item, depth + 1))
                .collect();
            (!parts.is_empty()).then(|| parts.join("; "))
        }
        Value::Number(n) if depth > 0 => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_come_from_the_usual_fields() {
        let cases: [(&[u8], &str); 8] = [
            (br#"{"message":"amount too small"}"#, "amount too small"),
            (
                br#"{"error":{"message":"nonce must be above"}}"#,
                "nonce must be above",
            ),
            (br#"{"errors":[{"msg":"a"},{"detail":"b"}]}"#, "a; b"),
            (
                br#"{"error":"invalid_payer","error_description":"bad phone"}"#,
                "bad phone",
            ),
            (br#"{"code":400}"#, ""),
            (
                b"Bad Request\r\n\r\nno such\tcurrency",
                "Bad Request no such currency",
            ),
            (b"", ""),
            (br#"{"detail":"line one\nline two"}"#, "line one line two"),
        ];
        for (body, want) in cases {
            assert_eq!(
                reason_from_body(body),
                want,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn a_long_reason_is_capped() {
        let body = format!(r#"{{"message":"{}"}}"#, "x".repeat(1000));
        let reason = reason_from_body(body.as_bytes());
        assert_eq!(reason.chars().count(), 301);
        assert!(reason.ends_with('…'));
    }

    #[test]
    fn refusals_and_bad_answers_are_told_from_outages_through_context() {
        let refused = anyhow::Error::new(CallError::Refused {
            call: "create",
            status: 422,
            reason: "no".into(),
        })
        .context("opening the invoice");
        assert_eq!(kind_of(&refused), FailureKind::Refused);
        let bad = anyhow::Error::new(Declined("address 0x1 is not a TRON address".into()))
            .context("calypso");
        assert_eq!(kind_of(&bad), FailureKind::Refused);
        let down = anyhow::Error::new(CallError::ServerError {
            call: "create",
            status: 503,
            attempts: 3,
        });
        assert_eq!(kind_of(&down), FailureKind::Unavailable);
        assert_eq!(
            kind_of(&anyhow::anyhow!("malformed JSON")),
            FailureKind::Unavailable
        );
    }
}
