//! The payer's words for what went wrong: a refused or failed request, a typed amount that
//! cannot be paid. Views show these strings; they decide nothing about them.

use protocol::Amount;

use super::{fill, Locale};
use crate::api::{ApiError, PROVIDER_REFUSED};
use crate::format;
use crate::state::AmountInputError;

/// The message to show the payer for `error`: the server's own words for a refused request
/// (they name the field), ours for everything else.
pub fn error_text(error: &ApiError, locale: Locale) -> String {
    let t = locale.messages();
    match error {
        ApiError::Network | ApiError::Unexpected(_) => t.error_network().to_owned(),
        ApiError::Server { code, .. } if code == "missing_id" => t.error_missing().to_owned(),
        ApiError::Server { code, .. } if code == PROVIDER_REFUSED => t.error_declined().to_owned(),
        ApiError::Server {
            status, message, ..
        } if *status < 500 && !message.is_empty() => message.clone(),
        ApiError::Server { .. } => t.error_server().to_owned(),
        ApiError::Aborted => String::new(),
    }
}

/// Why a typed amount cannot be paid, with the limit it broke; an unreadable amount gets an
/// example (the checkout's minimum, so the example is itself payable).
pub fn amount_error_text(error: AmountInputError, locale: Locale, min: Option<Amount>) -> String {
    let t = locale.messages();
    let tag = locale.tag();
    match error {
        AmountInputError::Empty => t.amount_required().to_owned(),
        AmountInputError::TooPrecise { decimals } => {
            fill(t.amount_precise(), &[("n", &decimals.to_string())])
        }
        AmountInputError::BelowMinimum(min) => {
            fill(t.amount_min(), &[("amount", &format::number(tag, &min))])
        }
        AmountInputError::AboveMaximum(max) => {
            fill(t.amount_max(), &[("amount", &format::number(tag, &max))])
        }
        AmountInputError::NotANumber | AmountInputError::Zero => {
            let example = min
                .map(|m| format::number(tag, &m))
                .unwrap_or_else(|| "10".into());
            fill(t.amount_invalid(), &[("example", &example)])
        }
    }
}
