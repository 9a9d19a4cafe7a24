//! Our funds from what a provider reports: for providers that judge finality themselves (the
//! third-party ones), amounts at the coin's scale and "final" when the provider says so; for
//! those that count confirmations themselves (the sandbox, the EVM watcher), from the
//! transactions they counted.

use protocol::Amount;

use super::decimal::{ceil_to_scale, floor_units};
use crate::domain::now_ms;
use crate::domain::state_machine::{Funds, ProviderSignal};

/// An amount that arrived, in units at `decimals`, rounded down (never more than arrived).
pub fn received_units(amount: Option<Amount>, decimals: u8) -> u128 {
    amount.map(|a| floor_units(a, decimals)).unwrap_or(0)
}

/// An amount due, in units at `decimals`, rounded up (never less than asked).
pub fn due_units(amount: Option<Amount>, decimals: u8) -> u128 {
    amount
        .and_then(|a| ceil_to_scale(a, decimals))
        .map(|a| a.units())
        .unwrap_or(0)
}

/// `seen` units arrived, `confirmed` of them final in the provider's judgement: when all are,
/// every confirmation is there. First seen now, if anything is in play.
pub fn judged_by_provider(seen: u128, confirmed: u128, signal: Option<ProviderSignal>) -> Funds {
    let in_play = seen > 0 || signal.is_some();
    Funds {
        seen_units: seen,
        confirmed_units: confirmed.min(seen),
        confirmations: if confirmed > 0 && confirmed >= seen {
            u32::MAX
        } else {
            0
        },
        first_seen_at_ms: in_play.then(now_ms),
        signal,
        as_of_block: None,
    }
}

/// One transaction as a provider that counts confirmations itself has it.
pub struct Counted {
    pub units: u128,
    pub confirmations: u32,
    /// Confirmations that make it final.
    pub required: u32,
    /// When it was first seen (for a chain: its block's time).
    pub at_ms: i64,
}

/// Funds from `counted` transactions (final one by one at their required confirmations; the
/// least confirmed one's count is shown), and the state name the provider reports:
/// `WAITING` (nothing yet), `CONFIRMING` or `CONFIRMED`.
pub fn counted_by_confirmations(counted: &[Counted]) -> (Funds, &'static str) {
    let seen_units: u128 = counted.iter().map(|t| t.units).sum();
    let confirmed_units: u128 = counted
        .iter()
        .filter(|t| t.confirmations >= t.required)
        .map(|t| t.units)
        .sum();
    let state = if counted.is_empty() {
        "WAITING"
    } else if confirmed_units < seen_units {
        "CONFIRMING"
    } else {
        "CONFIRMED"
    };
    let funds = Funds {
        seen_units,
        confirmed_units,
        confirmations: counted.iter().map(|t| t.confirmations).min().unwrap_or(0),
        first_seen_at_ms: counted.iter().map(|t| t.at_ms).min(),
        signal: None,
        as_of_block: None,
    };
    (funds, state)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_only_when_everything_seen_is_confirmed() {
        let f = judged_by_provider(100, 100, None);
        assert_eq!(
            (f.confirmations, f.first_seen_at_ms.is_some()),
            (u32::MAX, true)
        );
        let f = judged_by_provider(100, 40, Some(ProviderSignal::InFlight));
        assert_eq!((f.confirmed_units, f.confirmations), (40, 0));
        let f = judged_by_provider(0, 0, None);
        assert_eq!((f.confirmations, f.first_seen_at_ms), (0, None));
        let f = judged_by_provider(5, 9, None);
        assert_eq!(f.confirmed_units, 5, "never more confirmed than seen");
        let amount = Amount::parse("0.123456789").ok();
        assert_eq!(received_units(amount, 8), 12_345_678);
        assert_eq!(due_units(amount, 8), 12_345_679);
        assert_eq!((received_units(None, 8), due_units(None, 8)), (0, 0));
    }
}
