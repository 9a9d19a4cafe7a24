//! Small JSON helpers the adapters share: exact numbers out, tolerant envelopes in.

use protocol::Amount;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

/// An amount for a request body: a JSON number written with the exact decimal text.
pub fn json_number(amount: Amount) -> Box<RawValue> {
    RawValue::from_string(amount.to_string()).expect("a decimal is a valid JSON number")
}

/// The object itself, or the one under the first of `wrappers` present (answers whose
/// envelope the public documentation does not show are read either way).
pub fn unwrap_under<T: DeserializeOwned>(body: &[u8], wrappers: &[&str]) -> anyhow::Result<T> {
    let outer: Option<std::collections::HashMap<String, Box<RawValue>>> =
        serde_json::from_slice(body).ok();
    if let Some(outer) = outer {
        if let Some(inner) = wrappers.iter().find_map(|w| outer.get(*w)) {
            if inner.get().starts_with('{') {
                return serde_json::from_str(inner.get())
                    .map_err(|e| anyhow::anyhow!("unexpected answer shape: {e}"));
            }
        }
    }
    serde_json::from_slice(body).map_err(|e| anyhow::anyhow!("unexpected answer shape: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct T {
        id: String,
    }

    #[test]
    fn envelopes_are_optional() {
        let a: T = unwrap_under(br#"{"id":"x"}"#, &["data"]).unwrap();
        let b: T = unwrap_under(br#"{"data":{"id":"x"}}"#, &["data"]).unwrap();
        assert_eq!((a.id, b.id), ("x".to_owned(), "x".to_owned()));
        assert!(unwrap_under::<T>(b"{not json", &["data"]).is_err());
        assert_eq!(json_number(Amount::parse("0.10").unwrap()).get(), "0.10");
    }
}
