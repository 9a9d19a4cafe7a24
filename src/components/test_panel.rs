//! The demo's test controls, under a test checkout on a demo server only (the server says so
//! with `testControls`): a person trying the demo pays it from the widget itself, as a wallet
//! and the chain would, instead of reaching for the merchant API.

use leptos::prelude::*;
use protocol::{CheckoutView, TestAction};

use super::session::Session;
use super::{attr, handler};
use crate::i18n::Locale;

/// The controls that make sense for `checkout` now, or nothing outside a demo.
pub fn test_panel(checkout: &CheckoutView, session: Session, locale: Locale) -> Option<AnyView> {
    if !checkout.test_controls || checkout.status.is_final() {
        return None;
    }
    let t = locale.messages();
    let due = checkout
        .payment
        .as_ref()
        .is_some_and(|p| !p.amount_remaining.is_zero());
    let button = move |action: TestAction, label: &'static str| {
        view! {
            <button {attr("type", "button")} class="chip" data-action=action.as_str()
                on:click=handler(move |_| session.test_action(action))>{label}</button>
        }
        .into_any()
    };
    let pay = due.then(|| {
        view! {
            {button(TestAction::PayInFull, t.test_pay_full())}
            {button(TestAction::PayPart, t.test_pay_part())}
        }
        .into_any()
    });
    let mine = checkout
        .payment
        .is_some()
        .then(|| button(TestAction::MineBlock, t.test_mine()));
    let expire =
        (!checkout.status.is_settled()).then(|| button(TestAction::Expire, t.test_expire()));
    Some(
        view! {
            <details class="test-panel" {attr("part", "test-panel")}>
                <summary>{t.test_controls()}</summary>
                <div class="chips">{pay}{mine}{expire}</div>
            </details>
        }
        .into_any(),
    )
}
