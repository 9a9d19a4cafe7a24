//! The application's one error type and its one HTTP rendering.
//!
//! When to use what:
//! - A request the caller can fix (bad field, unknown id, wrong state) is an [`AppError`] built
//!   with one of the named constructors; its message is shown to the caller and names the field.
//! - Anything else (database, provider, I/O) is an `anyhow::Error` with context saying what
//!   failed; it converts into a 5xx whose body says nothing internal, and the cause is logged.
//!
//! Every error leaves the server as [`protocol::ErrorBody`], rejections of extractors included
//! (see [`crate::routes::extract`]).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use protocol::{ErrorBody, ErrorDetail};

use crate::domain::error::DomainError;
use crate::domain::state_machine::Refusal;
use crate::providers::failure::{self, FailureKind};
use crate::store::error::StoreError;

#[derive(Debug)]
pub struct AppError {
    status: StatusCode,
    code: &'static str,
    message: String,
    field: Option<String>,
    cause: Option<anyhow::Error>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> AppError {
        AppError {
            status,
            code,
            message: message.into(),
            field: None,
            cause: None,
        }
    }

    /// 400 for a field the caller got wrong. The message is prefixed with the field's name.
    pub fn invalid(field: &str, message: impl std::fmt::Display) -> AppError {
        AppError::invalid_with_code("invalid_field", field, message)
    }

    pub fn invalid_with_code(
        code: &'static str,
        field: &str,
        message: impl std::fmt::Display,
    ) -> AppError {
        let mut e = AppError::new(StatusCode::BAD_REQUEST, code, format!("{field}: {message}"));
        e.field = Some(field.to_owned());
        e
    }

    /// 400 about the request as a whole (e.g. JSON that does not parse).
    pub fn bad_request(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::CONFLICT, code, message)
    }

    pub fn gone(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::GONE, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> AppError {
        AppError::unauthorized_with_code("unauthorized", message)
    }

    /// 401 with a more specific code (a webhook's missing or wrong signature).
    pub fn unauthorized_with_code(code: &'static str, message: impl Into<String>) -> AppError {
        AppError::new(StatusCode::UNAUTHORIZED, code, message)
    }

    pub fn payload_too_large() -> AppError {
        AppError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "the request body is larger than the server accepts",
        )
    }

    pub fn method_not_allowed() -> AppError {
        AppError::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this method is not allowed on this path",
        )
    }

    /// 502: a provider failed. Unreachable (the caller may retry) or refused (retrying would
    /// only repeat the refusal); the cause, with the provider's reason, goes to the log.
    pub fn upstream(cause: anyhow::Error) -> AppError {
        let mut e = match failure::kind_of(&cause) {
            FailureKind::Unavailable => AppError::new(
                StatusCode::BAD_GATEWAY,
                "provider_unavailable",
                "the payment provider could not be reached; try again",
            ),
            FailureKind::Refused => AppError::new(
                StatusCode::BAD_GATEWAY,
                "provider_refused",
                "the payment provider declined to open this payment; choose another currency \
                 or contact the merchant",
            ),
        };
        e.cause = Some(cause);
        e
    }

    pub fn internal(cause: anyhow::Error) -> AppError {
        let mut e = AppError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal server error",
        );
        e.cause = Some(cause);
        e
    }

    pub fn status(&self) -> StatusCode {
        self.status
    }

    pub fn code(&self) -> &'static str {
        self.code
    }

    pub fn message(&self) -> &str {
        &self.message
    }

    pub fn field(&self) -> Option<&str> {
        self.field.as_deref()
    }

    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code.to_owned(),
                message: self.message.clone(),
                field: self.field.clone(),
            },
        }
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl From<anyhow::Error> for AppError {
    fn from(cause: anyhow::Error) -> AppError {
        AppError::internal(cause)
    }
}

/// How a refusal of the domain reads to the caller: the one place domain rules meet HTTP.
impl From<DomainError> for AppError {
    fn from(error: DomainError) -> AppError {
        match error {
            DomainError::Invalid {
                code,
                field,
                message,
            } => AppError::invalid_with_code(code, &field, message),
            DomainError::Refused(refusal) => {
                let message = refusal.to_string();
                match refusal {
                    Refusal::FundsAlreadyReceived => AppError::conflict("funds_received", message),
                    Refusal::Expired => AppError::gone("checkout_expired", message),
                    Refusal::Cancelled => AppError::conflict("checkout_cancelled", message),
                    Refusal::CannotCancel(_) | Refusal::NotConflict(_) => {
                        AppError::conflict("invalid_state", message)
                    }
                }
            }
            DomainError::Inconsistent(what) => AppError::internal(anyhow::anyhow!(what)),
        }
    }
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> AppError {
        DomainError::Refused(refusal).into()
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::Rejected(refusal) => refusal.into(),
            StoreError::Database(cause) => AppError::internal(cause),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        if let Some(cause) = &self.cause {
            tracing::error!(status = self.status.as_u16(), code = self.code, "{cause:#}");
        }
        (self.status, Json(self.body())).into_response()
    }
}
