//! What a store call can end in besides its answer. The store knows nothing of HTTP:
//! `crate::error` turns these into responses, in one place.

use crate::domain::error::DomainError;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The mutation of a read-modify-write refused the change; nothing was written.
    #[error(transparent)]
    Rejected(#[from] DomainError),
    /// The database failed: I/O, a constraint nobody expected, a row that does not decode.
    #[error("the database failed: {0:#}")]
    Database(#[from] anyhow::Error),
}

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        StoreError::Database(error.into())
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> StoreError {
        StoreError::Database(error.into())
    }
}

pub type StoreResult<T> = Result<T, StoreError>;
