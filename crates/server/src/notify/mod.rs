//! Merchant notifications: every change the payer sees (payment on screen, amount paid,
//! confirmations, exception, status) becomes one typed event (`domain::merchant_event` decides
//! which), written to the outbox by the store in the transaction that makes
//! the change, then sent by [`worker`] to the merchant's URL, signed ([`signature`]), retried
//! with [`backoff`] until the merchant answers 2xx or about three days have passed. Every
//! attempt is recorded; the merchant API lists deliveries and asks for redeliveries
//! (`routes::deliveries`).

pub mod backoff;
pub mod signature;
pub mod worker;

pub use crate::config::NotifyConfig;
pub use signature::{verify, VerifyError, SIGNATURE_HEADER};

/// How a merchant written in Rust checks a notification (the README shows the same snippet):
#[doc = include_str!("../../examples/verify/verify.rs.md")]
pub mod rust_example {}
