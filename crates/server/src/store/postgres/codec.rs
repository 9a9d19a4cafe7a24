//! Turning stored text into values and back, with errors that say what did not decode.

use crate::store::error::StoreError;

pub fn to_json<T: serde::Serialize>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Database(e.into()))
}

/// The JSON text of column `what` as a `T`.
pub fn from_json<T: serde::de::DeserializeOwned>(what: &str, text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text)
        .map_err(|e| StoreError::Database(anyhow::anyhow!("stored {what} does not decode: {e}")))
}

/// A column held text that is not a valid `what`.
pub fn bad_value(what: &str) -> StoreError {
    StoreError::Database(anyhow::anyhow!("unexpected stored {what}"))
}
