//! The provider's own explanation of a refusal (a 4xx), read from its error body for the
//! merchant's log: whichever usual message field it has, on one line, capped.

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
}
