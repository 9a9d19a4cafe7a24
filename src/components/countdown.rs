use std::time::Duration;

use leptos::prelude::*;

use crate::format;
use crate::i18n::{fill, Locale};
use crate::state::countdown;

/// Seconds left until `until` (RFC 3339), ticking every second while the view lives.
pub fn seconds_left(until: String) -> RwSignal<i64> {
    let left = RwSignal::new(format::seconds_left(&until));
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let _ = left.try_set(format::seconds_left(&until));
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    left
}

/// "Amount guaranteed for 14:59".
#[component]
pub fn Countdown(
    /// Seconds left, from [`seconds_left`].
    left: RwSignal<i64>,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let t = locale.messages();
    view! {
        <p class="countdown" part="countdown">
            {move || fill(t.rate_valid(), &[("time", &countdown(left.get()))])}
        </p>
    }
}
