use std::time::Duration;

use leptos::prelude::*;

use crate::format;
use crate::i18n::{fill, Locale};
use crate::state::countdown;

/// "Amount guaranteed for 14:59", ticking every second until `until`.
#[component]
pub fn Countdown(
    /// RFC 3339 end time.
    until: String,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let left = RwSignal::new(format::seconds_left(&until));
    if let Ok(handle) = set_interval_with_handle(
        move || {
            let _ = left.try_set(format::seconds_left(&until));
        },
        Duration::from_secs(1),
    ) {
        on_cleanup(move || handle.clear());
    }
    let t = locale.messages();
    view! {
        <p class="countdown" part="countdown">
            {move || fill(t.rate_valid(), &[("time", &countdown(left.get()))])}
        </p>
    }
}
