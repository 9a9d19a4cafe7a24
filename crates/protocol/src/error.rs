//! The one JSON error envelope every endpoint uses.

use serde::{Deserialize, Serialize};

/// `{"error": {"code": "...", "message": "...", "field": "..."}}`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorDetail {
    /// Stable, machine-readable, e.g. `invalid_amount`, `not_found`.
    pub code: String,
    /// For people; names the offending field when there is one.
    pub message: String,
    /// The JSON path of the offending field, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
