//! What the domain refuses, in its own words: which field was invalid and why, or which rule of
//! the state machine said no. It knows nothing of HTTP; `crate::error` decides how each reads
//! to a caller.

use super::state_machine::Refusal;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A value the caller gave is not acceptable. `code` is the machine-readable reason
    /// (`invalid_field`, `unknown_currency`, `amount_out_of_range`, …).
    #[error("{field}: {message}")]
    Invalid {
        code: &'static str,
        field: String,
        message: String,
    },
    /// The checkout's state does not allow the change.
    #[error(transparent)]
    Refused(#[from] Refusal),
    /// Stored data the domain cannot make sense of: a defect, never the caller's fault.
    #[error("inconsistent stored data: {0}")]
    Inconsistent(String),
}

impl DomainError {
    /// A field the caller got wrong, with the generic `invalid_field` code.
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> DomainError {
        DomainError::invalid_with_code("invalid_field", field, message)
    }

    pub fn invalid_with_code(
        code: &'static str,
        field: &str,
        message: impl std::fmt::Display,
    ) -> DomainError {
        DomainError::Invalid {
            code,
            field: field.to_owned(),
            message: message.to_string(),
        }
    }

    /// The field an `Invalid` error is about.
    pub fn field(&self) -> Option<&str> {
        match self {
            DomainError::Invalid { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The machine-readable reason of an `Invalid` error.
    pub fn code(&self) -> Option<&'static str> {
        match self {
            DomainError::Invalid { code, .. } => Some(code),
            _ => None,
        }
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
