//! What a failed provider call means for the payer, and what the merchant's log says about it.
//!
//! Two kinds of failure must never be confused. A provider that could not be reached (a
//! timeout, a dropped connection, a 5xx) may answer the same request next time: the payer is
//! told to try again. A provider that answered and said no (a 4xx), or answered with something
//! our checks refuse (an address on the wrong network, another fiat price than asked), will say
//! the same again: retrying only repeats it, so the payer is told the payment cannot be opened
//! and the log says exactly what was refused and why (the provider's own words, read by
//! [`super::refusal_reason`]).

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

#[cfg(test)]
mod tests {
    use super::*;

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
