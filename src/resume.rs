//! A payment link (`widget-key`) opens a new checkout on every visit. So that a payer who
//! reloads the page (after copying the address, after sending the funds) finds the checkout
//! they were paying instead of a fresh one, the widget remembers in the browser's `localStorage`
//! which checkout it opened for each key and server, and resumes it while it can still be paid
//! or followed. A checkout that reached SUCCESS, EXPIRED or CANCELLED is forgotten: the next
//! visit starts again.
//!
//! Storage can be missing or refused (private windows, sandboxed frames, blocked third-party
//! storage): then nothing is remembered and every visit opens a new checkout, as before.

use protocol::{CheckoutStatus, CheckoutView};

const PREFIX: &str = "checkout-widget:";

/// Where the checkout opened for `widget_key` on the server at `api_base` is remembered.
pub fn slot(api_base: &str, widget_key: &str) -> String {
    let mut slot = String::from(PREFIX);
    slot.push_str(api_base);
    slot.push('#');
    slot.push_str(widget_key);
    slot
}

/// Whether a remembered checkout is still worth showing again rather than a fresh one.
pub fn resumable(view: &CheckoutView) -> bool {
    !matches!(
        view.status,
        CheckoutStatus::Success | CheckoutStatus::Expired | CheckoutStatus::Cancelled
    )
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The checkout id remembered in `slot`, if any.
pub fn remembered(slot: &str) -> Option<String> {
    storage()?
        .get_item(slot)
        .ok()
        .flatten()
        .filter(|id| !id.is_empty())
}

/// Remembers checkout `id` in `slot` (a full or refused storage just forgets).
pub fn remember(slot: &str, id: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(slot, id);
    }
}

/// Forgets what `slot` remembered.
pub fn forget(slot: &str) {
    if let Some(storage) = storage() {
        let _ = storage.remove_item(slot);
    }
}
