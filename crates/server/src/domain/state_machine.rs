//! The checkout state machine: the only code that decides a checkout's status.
//!
//! Pure functions over plain data, no I/O and no clock (the time is part of the event), so the
//! same state and event always give the same result, and every rule is testable on its own.
//!
//! ```text
//! NEW --pick--> WAITING_PAYMENT --funds seen--> PENDING_PAYMENT --confirmed--> SUCCESS
//!                                                              \-> CONFLICT (UNDERPAID | OVERPAID)
//! NEW / WAITING_PAYMENT --expiry, no funds--> EXPIRED --funds within the window--> CONFLICT (PAID_LATE)
//! CONFLICT (UNDERPAID) --more funds--> PENDING_PAYMENT --> SUCCESS
//! CONFLICT --resolve MARK_PAID--> SUCCESS ; --resolve CLOSE--> CANCELLED (exception kept)
//! NEW / WAITING_PAYMENT / EXPIRED --cancel--> CANCELLED
//! ```
//! SUCCESS and CANCELLED are final: funds arriving later are recorded on the payment, but the
//! status never moves again.

use protocol::{CheckoutStatus, Exception};
use serde::{Deserialize, Serialize};

use super::money::{exceeds_tolerance, reaches_share};

/// Tolerances and windows: the rules apply them exactly as configured.
pub use crate::config::Policy;

/// Everything the rules look at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CheckoutState {
    pub status: CheckoutStatus,
    pub exception: Option<Exception>,
    /// The payment whose address the payer is shown (the last picked, or the last funded).
    pub active_payment: Option<String>,
    pub expires_at_ms: i64,
    /// Whether any funds were ever seen on any of the checkout's payments.
    pub funds_seen: bool,
}

impl CheckoutState {
    pub fn new(expires_at_ms: i64) -> CheckoutState {
        CheckoutState {
            status: CheckoutStatus::New,
            exception: None,
            active_payment: None,
            expires_at_ms,
            funds_seen: false,
        }
    }
}

/// What the provider says about one payment after we re-read it (totals, not deltas, so a
/// duplicate or reordered report cannot count funds twice).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Funds {
    /// Received so far, confirmed or not, in the coin's smallest unit.
    #[serde(with = "units")]
    pub seen_units: u128,
    /// The part of `seen_units` with all the confirmations required.
    #[serde(with = "units")]
    pub confirmed_units: u128,
    /// Confirmations of the least confirmed transaction (what the payer is waiting for).
    pub confirmations: u32,
    /// When the first funds were seen (decides PAID_LATE).
    pub first_seen_at_ms: Option<i64>,
    /// What a provider that decides for itself says beyond the amounts (Calypso's
    /// interventions, a declined compliance check, funds in a mempool with no amount yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signal: Option<ProviderSignal>,
    /// For a provider that reads the chain itself (EVM): the newest block the totals were
    /// counted at. Such a report replaces an older one even downwards, because a reorganisation
    /// can take counted funds away; a report from an older block is stale and ignored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub as_of_block: Option<u64>,
}

/// A provider's own verdict on a payment, which our tolerances cannot overrule: when the
/// provider holds the funds for a decision, showing SUCCESS would be a lie.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProviderSignal {
    /// Funds are on their way (mempool, compliance check) though no amount may be known yet.
    InFlight,
    /// Held for the merchant: too little arrived (Calypso UNDERPAY intervention).
    HeldUnderpaid,
    /// Held for the merchant: too much arrived (Calypso OVERPAY intervention).
    HeldOverpaid,
    /// Held for another reason (declined compliance check, an intervention type we do not know).
    Held,
}

impl ProviderSignal {
    /// The CONFLICT exception this verdict shows as, if it is a hold at all.
    fn hold(self) -> Option<Option<Exception>> {
        match self {
            ProviderSignal::InFlight => None,
            ProviderSignal::HeldUnderpaid => Some(Some(Exception::Underpaid)),
            ProviderSignal::HeldOverpaid => Some(Some(Exception::Overpaid)),
            ProviderSignal::Held => Some(None),
        }
    }
}

impl Funds {
    /// Combines what we knew with a new report. Amounts only grow: a stale or reordered report
    /// can never take funds away.
    pub fn merge(&self, report: &Funds) -> Funds {
        if let Some(at) = report.as_of_block {
            let newer = self.as_of_block.is_none_or(|known| at >= known);
            return if newer { report.clone() } else { self.clone() };
        }
        let seen_units = self.seen_units.max(report.seen_units);
        let confirmed_units = self
            .confirmed_units
            .max(report.confirmed_units)
            .min(seen_units);
        // The latest report speaks for the present unless it is visibly older (fewer funds).
        let (confirmations, signal) = if report.seen_units >= self.seen_units {
            (report.confirmations, report.signal)
        } else {
            (self.confirmations, self.signal)
        };
        let first_seen_at_ms = match (self.first_seen_at_ms, report.first_seen_at_ms) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        Funds {
            seen_units,
            confirmed_units,
            confirmations,
            first_seen_at_ms,
            signal,
            as_of_block: self.as_of_block,
        }
    }
}

/// How the merchant settles a CONFLICT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Resolution {
    MarkPaid,
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// The payer picked a currency; `payment_id` becomes the active payment.
    Picked {
        payment_id: String,
        now_ms: i64,
    },
    /// Merged funds of one payment, with the amount due on it.
    Funds {
        payment_id: String,
        due_units: u128,
        funds: Funds,
    },
    /// Time passed; expire if due.
    Expire {
        now_ms: i64,
    },
    Cancel,
    Resolve(Resolution),
    /// The provider no longer watches this payment's invoice (expired or archived it).
    ProviderClosed {
        payment_id: String,
    },
}

/// Why an event cannot apply in the current state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error(
        "funds have already been received for this checkout; the currency can no longer be changed"
    )]
    FundsAlreadyReceived,
    #[error("the checkout has expired")]
    Expired,
    #[error("the checkout was cancelled")]
    Cancelled,
    #[error("a {0} checkout cannot be cancelled")]
    CannotCancel(CheckoutStatus),
    #[error("only a CONFLICT checkout can be resolved; this one is {0}")]
    NotConflict(CheckoutStatus),
}

/// The state after `event`, or why the event does not apply. Never panics.
pub fn apply(
    state: &CheckoutState,
    event: &Event,
    policy: &Policy,
) -> Result<CheckoutState, Refusal> {
    match event {
        Event::Picked { payment_id, now_ms } => {
            check_pick(state, *now_ms)?;
            let mut next = state.clone();
            next.status = CheckoutStatus::WaitingPayment;
            next.active_payment = Some(payment_id.clone());
            Ok(next)
        }
        Event::Funds {
            payment_id,
            due_units,
            funds,
        } => Ok(on_funds(state, payment_id, *due_units, funds, policy)),
        Event::Expire { now_ms } => Ok(on_expire(state, *now_ms)),
        Event::Cancel => on_cancel(state),
        Event::Resolve(resolution) => on_resolve(state, *resolution),
        Event::ProviderClosed { payment_id } => Ok(on_provider_closed(state, payment_id)),
    }
}

/// Whether the payer may (still) pick a coin at `now_ms`: asked before a provider is asked for
/// an invoice that could never be used, and again when the pick is applied.
pub fn check_pick(state: &CheckoutState, now_ms: i64) -> Result<(), Refusal> {
    use CheckoutStatus::*;
    match state.status {
        New | WaitingPayment if state.funds_seen => Err(Refusal::FundsAlreadyReceived),
        New | WaitingPayment if now_ms >= state.expires_at_ms => Err(Refusal::Expired),
        New | WaitingPayment => Ok(()),
        Expired => Err(Refusal::Expired),
        Cancelled => Err(Refusal::Cancelled),
        PendingPayment | Success | Conflict => Err(Refusal::FundsAlreadyReceived),
    }
}

fn on_funds(
    state: &CheckoutState,
    payment_id: &str,
    due_units: u128,
    funds: &Funds,
    policy: &Policy,
) -> CheckoutState {
    use CheckoutStatus::*;
    let mut next = state.clone();
    if funds.seen_units == 0 && funds.signal.is_none() {
        return withdrawn(state, payment_id);
    }
    next.funds_seen = true;
    if state.status.is_final() {
        return next;
    }
    let first_seen = funds.first_seen_at_ms.unwrap_or(i64::MIN);
    let after_expiry = first_seen > state.expires_at_ms;
    let beyond_window = first_seen
        > state
            .expires_at_ms
            .saturating_add(policy.monitoring_window_ms);
    let unfunded_so_far = matches!(state.status, New | WaitingPayment | Expired);
    if unfunded_so_far && beyond_window {
        // Nobody watches the address any more: recorded on the payment, no status change
        // other than the expiry that is long overdue.
        next.funds_seen = state.funds_seen;
        next.status = Expired;
        return next;
    }
    next.active_payment = Some(payment_id.to_owned());
    let late = (unfunded_so_far && after_expiry)
        || (state.status == Conflict && state.exception == Some(Exception::PaidLate));
    let (status, exception) = if late {
        (Conflict, Some(Exception::PaidLate))
    } else if let Some(exception) = funds.signal.and_then(ProviderSignal::hold) {
        (Conflict, exception)
    } else {
        verdict_on_amount(funds, due_units, policy)
    };
    next.status = status;
    next.exception = exception;
    next
}

/// Where funds that arrived in time leave the checkout: still confirming, short, over, or paid.
fn verdict_on_amount(
    funds: &Funds,
    due_units: u128,
    policy: &Policy,
) -> (CheckoutStatus, Option<Exception>) {
    use CheckoutStatus::*;
    if funds.confirmed_units < funds.seen_units || funds.signal == Some(ProviderSignal::InFlight) {
        (PendingPayment, None)
    } else if !reaches_share(funds.seen_units, due_units, policy.accept_share_bp) {
        (Conflict, Some(Exception::Underpaid))
    } else if exceeds_tolerance(funds.seen_units, due_units, policy.overpay_tolerance_bp) {
        (Conflict, Some(Exception::Overpaid))
    } else {
        (Success, None)
    }
}

/// A payment's funds are gone (a reorganisation dropped the block that held them, see
/// [`Funds::as_of_block`]). While the checkout is not final it is waiting again (or expired, if
/// the funds had come late), so the payer's transaction can land again and be counted anew.
/// Only for the active payment: the checkout's status follows the payment it shows.
fn withdrawn(state: &CheckoutState, payment_id: &str) -> CheckoutState {
    use CheckoutStatus::*;
    let mut next = state.clone();
    let active = state.active_payment.as_deref() == Some(payment_id);
    if !active || !matches!(state.status, PendingPayment | Conflict) {
        return next;
    }
    next.status = match state.exception {
        Some(Exception::PaidLate) => Expired,
        _ => WaitingPayment,
    };
    next.exception = None;
    next.funds_seen = false;
    next
}

fn on_expire(state: &CheckoutState, now_ms: i64) -> CheckoutState {
    let mut next = state.clone();
    if matches!(
        state.status,
        CheckoutStatus::New | CheckoutStatus::WaitingPayment
    ) && !state.funds_seen
        && now_ms >= state.expires_at_ms
    {
        next.status = CheckoutStatus::Expired;
    }
    next
}

fn on_cancel(state: &CheckoutState) -> Result<CheckoutState, Refusal> {
    use CheckoutStatus::*;
    let mut next = state.clone();
    match state.status {
        New | WaitingPayment | Expired => next.status = Cancelled,
        Cancelled => {}
        other => return Err(Refusal::CannotCancel(other)),
    }
    Ok(next)
}

/// The payer's current invoice closed at the provider with nothing paid: the address is dead,
/// so the payer chooses again (NEW, no payment shown) and a new pick opens a new invoice.
/// Funds that still arrive on it are counted as usual (a Funds event makes it active again).
fn on_provider_closed(state: &CheckoutState, payment_id: &str) -> CheckoutState {
    let mut next = state.clone();
    let current = state.active_payment.as_deref() == Some(payment_id);
    if current && !state.funds_seen && state.status == CheckoutStatus::WaitingPayment {
        next.status = CheckoutStatus::New;
        next.active_payment = None;
    }
    next
}

fn on_resolve(state: &CheckoutState, resolution: Resolution) -> Result<CheckoutState, Refusal> {
    if state.status != CheckoutStatus::Conflict {
        return Err(Refusal::NotConflict(state.status));
    }
    let mut next = state.clone();
    next.status = match resolution {
        Resolution::MarkPaid => CheckoutStatus::Success,
        Resolution::Close => CheckoutStatus::Cancelled,
    };
    Ok(next)
}

/// u128 amounts as decimal strings in stored JSON (JSON numbers lose precision in many readers).
mod units {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &u128, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u128, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(D::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use CheckoutStatus::*;

    const EXPIRES: i64 = 1_000_000;

    fn policy() -> Policy {
        Policy {
            monitoring_window_ms: 10_000,
            ..Policy::default()
        }
    }

    fn waiting() -> CheckoutState {
        apply(
            &CheckoutState::new(EXPIRES),
            &Event::Picked {
                payment_id: "p1".into(),
                now_ms: 0,
            },
            &policy(),
        )
        .unwrap()
    }

    #[test]
    fn a_closed_unpaid_current_invoice_sends_the_payer_back_to_choosing_and_nothing_else_does() {
        let closed = |state: &CheckoutState, id: &str| {
            let event = Event::ProviderClosed {
                payment_id: id.into(),
            };
            apply(state, &event, &policy()).unwrap()
        };
        let back = closed(&waiting(), "p1");
        assert_eq!((back.status, back.active_payment.as_deref()), (New, None));
        // Another payment than the payer's current one: nothing the payer sees changes.
        assert_eq!(closed(&waiting(), "p0"), waiting());
        // Funds seen: the payment stays, whatever the provider did with its invoice.
        let mut paid = waiting();
        paid.funds_seen = true;
        assert_eq!(closed(&paid, "p1"), paid);
        let mut pending = waiting();
        pending.status = PendingPayment;
        assert_eq!(closed(&pending, "p1"), pending);
    }

    fn funds(payment: &str, seen: u128, confirmed: u128, at: i64) -> Event {
        Event::Funds {
            payment_id: payment.into(),
            due_units: 1000,
            funds: Funds {
                seen_units: seen,
                confirmed_units: confirmed,
                confirmations: 0,
                first_seen_at_ms: Some(at),
                signal: None,
                as_of_block: None,
            },
        }
    }

    fn run(events: &[Event]) -> CheckoutState {
        events
            .iter()
            .fold(waiting(), |s, e| apply(&s, e, &policy()).unwrap())
    }

    #[test]
    fn happy_path() {
        let s = waiting();
        assert_eq!(s.status, WaitingPayment);
        let s = apply(&s, &funds("p1", 1000, 0, 10), &policy()).unwrap();
        assert_eq!(s.status, PendingPayment);
        let s = apply(&s, &funds("p1", 1000, 1000, 10), &policy()).unwrap();
        assert_eq!((s.status, s.exception), (Success, None));
    }

    #[test]
    fn within_tolerances_is_success_outside_is_conflict() {
        assert_eq!(run(&[funds("p1", 995, 995, 1)]).status, Success);
        assert_eq!(run(&[funds("p1", 1005, 1005, 1)]).status, Success);
        let under = run(&[funds("p1", 994, 994, 1)]);
        assert_eq!(
            (under.status, under.exception),
            (Conflict, Some(Exception::Underpaid))
        );
        let over = run(&[funds("p1", 1006, 1006, 1)]);
        assert_eq!(
            (over.status, over.exception),
            (Conflict, Some(Exception::Overpaid))
        );
    }

    #[test]
    fn a_chain_report_replaces_older_ones_even_downwards_and_ignores_stale_ones() {
        let at = |block: u64, seen: u128| Funds {
            seen_units: seen,
            confirmed_units: seen,
            first_seen_at_ms: (seen > 0).then_some(7),
            as_of_block: Some(block),
            ..Funds::default()
        };
        let known = at(10, 1000);
        assert_eq!(
            known.merge(&at(12, 0)),
            at(12, 0),
            "a reorganisation took it away"
        );
        assert_eq!(
            known.merge(&at(9, 0)),
            known,
            "a report from an older block"
        );
        // A provider without blocks still only adds.
        assert_eq!(known.merge(&Funds::default()).seen_units, 1000);
    }

    #[test]
    fn funds_taken_away_by_a_reorganisation_leave_the_checkout_waiting_unless_final() {
        let gone = |state: &CheckoutState| {
            let event = funds("p1", 0, 0, 0);
            apply(state, &event, &policy()).unwrap()
        };
        let pending = run(&[funds("p1", 1000, 0, 10)]);
        assert_eq!(pending.status, CheckoutStatus::PendingPayment);
        let back = gone(&pending);
        assert_eq!(
            (back.status, back.funds_seen),
            (CheckoutStatus::WaitingPayment, false)
        );
        let under = run(&[funds("p1", 10, 10, 10)]);
        assert_eq!(gone(&under).status, CheckoutStatus::WaitingPayment);
        let late = run(&[funds("p1", 1000, 1000, EXPIRES + 5)]);
        assert_eq!(late.exception, Some(Exception::PaidLate));
        assert_eq!(gone(&late).status, CheckoutStatus::Expired);
        let paid = run(&[funds("p1", 1000, 1000, 10)]);
        assert_eq!(
            gone(&paid).status,
            CheckoutStatus::Success,
            "SUCCESS is final"
        );
        let other = apply(&pending, &funds("p2", 0, 0, 0), &policy()).unwrap();
        assert_eq!(other, pending, "not the payment the checkout shows");
    }

    #[test]
    fn underpaid_can_be_completed_by_more_funds() {
        let s = run(&[funds("p1", 500, 500, 1), funds("p1", 1000, 500, 1)]);
        assert_eq!((s.status, s.exception), (PendingPayment, None));
        let s = apply(&s, &funds("p1", 1000, 1000, 1), &policy()).unwrap();
        assert_eq!(s.status, Success);
    }

    #[test]
    fn expiry_only_without_funds() {
        let s = apply(
            &waiting(),
            &Event::Expire {
                now_ms: EXPIRES - 1,
            },
            &policy(),
        )
        .unwrap();
        assert_eq!(s.status, WaitingPayment);
        let s = apply(&s, &Event::Expire { now_ms: EXPIRES }, &policy()).unwrap();
        assert_eq!(s.status, Expired);
        let pending = run(&[funds("p1", 10, 0, 1)]);
        let still = apply(
            &pending,
            &Event::Expire {
                now_ms: EXPIRES * 2,
            },
            &policy(),
        )
        .unwrap();
        assert_eq!(still.status, PendingPayment);
    }

    #[test]
    fn late_funds_are_paid_late_within_the_window_and_recorded_after_it() {
        let expired = apply(&waiting(), &Event::Expire { now_ms: EXPIRES }, &policy()).unwrap();
        let late = apply(&expired, &funds("p1", 1000, 0, EXPIRES + 5), &policy()).unwrap();
        assert_eq!(
            (late.status, late.exception),
            (Conflict, Some(Exception::PaidLate))
        );
        // Confirmation does not turn a late payment into a success: the merchant decides.
        let confirmed = apply(&late, &funds("p1", 1000, 1000, EXPIRES + 5), &policy()).unwrap();
        assert_eq!(confirmed, late);
        let beyond = apply(&expired, &funds("p1", 1000, 0, EXPIRES + 20_000), &policy()).unwrap();
        assert_eq!(beyond.status, Expired);
        // Funds sent before the expiry but reported after it are on time.
        let on_time = apply(&expired, &funds("p1", 1000, 0, EXPIRES - 5), &policy()).unwrap();
        assert_eq!(on_time.status, PendingPayment);
    }

    #[test]
    fn funds_on_a_switched_away_payment_make_it_active() {
        let s = apply(
            &waiting(),
            &Event::Picked {
                payment_id: "p2".into(),
                now_ms: 1,
            },
            &policy(),
        )
        .unwrap();
        assert_eq!(s.active_payment.as_deref(), Some("p2"));
        let s = apply(&s, &funds("p1", 1000, 0, 2), &policy()).unwrap();
        assert_eq!(s.active_payment.as_deref(), Some("p1"));
        assert_eq!(
            apply(
                &s,
                &Event::Picked {
                    payment_id: "p3".into(),
                    now_ms: 3
                },
                &policy()
            ),
            Err(Refusal::FundsAlreadyReceived)
        );
    }

    #[test]
    fn cancel_and_resolve_rules() {
        let cancelled = apply(&waiting(), &Event::Cancel, &policy()).unwrap();
        assert_eq!(cancelled.status, Cancelled);
        assert_eq!(
            apply(&cancelled, &Event::Cancel, &policy()),
            Ok(cancelled.clone())
        );
        let pending = run(&[funds("p1", 10, 0, 1)]);
        assert_eq!(
            apply(&pending, &Event::Cancel, &policy()),
            Err(Refusal::CannotCancel(PendingPayment))
        );
        let under = run(&[funds("p1", 10, 10, 1)]);
        let paid = apply(&under, &Event::Resolve(Resolution::MarkPaid), &policy()).unwrap();
        assert_eq!(
            (paid.status, paid.exception),
            (Success, Some(Exception::Underpaid))
        );
        let closed = apply(&under, &Event::Resolve(Resolution::Close), &policy()).unwrap();
        assert_eq!(
            (closed.status, closed.exception),
            (Cancelled, Some(Exception::Underpaid))
        );
        assert_eq!(
            apply(&paid, &Event::Resolve(Resolution::Close), &policy()),
            Err(Refusal::NotConflict(Success))
        );
    }

    #[test]
    fn a_provider_hold_is_a_conflict_whatever_the_amounts_say() {
        let held = |signal, seen| Event::Funds {
            payment_id: "p1".into(),
            due_units: 1000,
            funds: Funds {
                seen_units: seen,
                confirmed_units: seen,
                signal: Some(signal),
                first_seen_at_ms: Some(1),
                ..Funds::default()
            },
        };
        let over = run(&[held(ProviderSignal::HeldOverpaid, 1001)]);
        assert_eq!(
            (over.status, over.exception),
            (Conflict, Some(Exception::Overpaid))
        );
        let declined = run(&[held(ProviderSignal::Held, 0)]);
        assert_eq!((declined.status, declined.exception), (Conflict, None));
        // In flight with no amount yet is PENDING_PAYMENT, and it counts as funds seen.
        let flying = run(&[held(ProviderSignal::InFlight, 0)]);
        assert_eq!((flying.status, flying.funds_seen), (PendingPayment, true));
    }

    fn arb_funds() -> impl Strategy<Value = Funds> {
        (
            0u128..3000,
            0u128..3000,
            0u32..5,
            prop::option::of(0i64..(EXPIRES * 2)),
            prop::option::of(prop::sample::select(vec![
                ProviderSignal::InFlight,
                ProviderSignal::HeldUnderpaid,
                ProviderSignal::HeldOverpaid,
                ProviderSignal::Held,
            ])),
        )
            .prop_map(|(a, b, confirmations, first_seen_at_ms, signal)| Funds {
                seen_units: a.max(b),
                confirmed_units: a.min(b),
                confirmations,
                first_seen_at_ms,
                signal,
                as_of_block: None,
            })
    }

    fn arb_event() -> impl Strategy<Value = Event> {
        prop_oneof![
            (0u8..3, 0i64..(EXPIRES * 2)).prop_map(|(p, now_ms)| Event::Picked {
                payment_id: format!("p{p}"),
                now_ms
            }),
            (0u8..3, arb_funds()).prop_map(|(p, funds)| Event::Funds {
                payment_id: format!("p{p}"),
                due_units: 1000,
                funds
            }),
            (0i64..(EXPIRES * 2)).prop_map(|now_ms| Event::Expire { now_ms }),
            Just(Event::Cancel),
            Just(Event::Resolve(Resolution::MarkPaid)),
            Just(Event::Resolve(Resolution::Close)),
        ]
    }

    proptest! {
        #[test]
        fn nothing_leaves_a_final_status(events in prop::collection::vec(arb_event(), 0..30)) {
            let mut state = CheckoutState::new(EXPIRES);
            let mut final_status = None;
            for event in &events {
                if let Ok(next) = apply(&state, event, &policy()) {
                    if let Some(f) = final_status {
                        prop_assert_eq!(next.status, f);
                    }
                    state = next;
                }
                if state.status.is_final() {
                    final_status = Some(state.status);
                }
            }
        }

        #[test]
        fn applying_an_event_twice_is_applying_it_once(
            events in prop::collection::vec(arb_event(), 0..20), last in arb_event()
        ) {
            let mut state = CheckoutState::new(EXPIRES);
            for event in &events {
                if let Ok(next) = apply(&state, event, &policy()) {
                    state = next;
                }
            }
            let once = apply(&state, &last, &policy());
            // Deterministic: the same input gives the same output.
            prop_assert_eq!(&once, &apply(&state, &last, &policy()));
            if let Ok(once) = once {
                match apply(&once, &last, &policy()) {
                    Ok(twice) => prop_assert_eq!(twice, once),
                    // Only a resolution is spent by its first application.
                    Err(_) => prop_assert!(matches!(last, Event::Resolve(_))),
                }
            }
        }

        #[test]
        fn merged_amounts_only_grow(reports in prop::collection::vec(arb_funds(), 1..20)) {
            let mut known = Funds::default();
            for report in &reports {
                let next = known.merge(report);
                prop_assert!(next.seen_units >= known.seen_units);
                prop_assert!(next.confirmed_units >= known.confirmed_units);
                prop_assert!(next.confirmed_units <= next.seen_units);
                prop_assert_eq!(next.merge(report), next.clone());
                known = next;
            }
        }
    }
}
