use std::time::Duration;

use leptos::prelude::*;

use super::attr;
use crate::format;
use crate::i18n::{fill, Locale};
use crate::state::{countdown, first_deadline, Deadline};

/// Seconds left until a moment, counted down every second while the view that asked lives.
///
/// The moment is read once; a `bool` signal that flips every second makes the views that read
/// the seconds run again. A signal of the seconds themselves would be the widget's only `i64`
/// signal, and every distinct signal type costs the payer its own copy of the reactive code.
#[derive(Clone, Copy)]
pub struct SecondsLeft {
    /// Milliseconds since the epoch (`NaN` when unreadable: then no time is left).
    at: f64,
    tick: RwSignal<bool>,
}

impl SecondsLeft {
    /// Seconds left now (negative once past).
    pub fn get(self) -> i64 {
        self.tick.track();
        format::seconds_until(self.at)
    }
}

/// Seconds left until `until` (RFC 3339), ticking every second while the view lives.
pub fn seconds_left(until: &str) -> SecondsLeft {
    let tick = RwSignal::new(false);
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let _ = tick.try_update(|t| *t = !*t);
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    SecondsLeft {
        at: format::moment(until),
        tick,
    }
}

/// Whichever ends first, and what happens then: "Amount guaranteed for 14:59" while the quote
/// holds, or "This checkout closes in 00:05…" when the checkout ends before it. A payer told
/// only of the quote would send after the checkout closed.
#[component]
pub fn Countdown(
    /// Seconds left on the quote, from [`seconds_left`]; `None` when no quote is counted down
    /// (the rest of an underpaid payment).
    quote: Option<SecondsLeft>,
    /// Seconds left before the checkout expires.
    checkout: SecondsLeft,
    /// A fresh quote is offered when the quote ends (nothing paid yet).
    #[prop(optional)]
    requote: bool,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let t = locale.messages();
    let deadline = move || first_deadline(quote.map(|q| q.get()), checkout.get());
    let text = move || match deadline() {
        Deadline::Quote => {
            let left = quote.map(|q| q.get()).unwrap_or_default();
            fill(t.rate_valid(), &[("time", &countdown(left))])
        }
        Deadline::Checkout => fill(t.checkout_ends(), &[("time", &countdown(checkout.get()))]),
    };
    // What follows the quote's end, when a fresh one will be offered.
    let then = move || {
        (requote && deadline() == Deadline::Quote)
            .then(|| view! { <p class="muted countdown-then">{t.rate_then()}</p> }.into_any())
    };
    view! {
        <p class="countdown" {attr("part", "countdown")}>{text}</p>
        {then}
    }
}
