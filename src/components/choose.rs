use leptos::prelude::*;
use protocol::{CheckoutView, CurrencyOption, PickCurrencyRequest};
use wasm_bindgen::JsCast;

use super::amount::{AmountEntry, AmountForm};
use super::attr;
use super::contact::{ContactEntry, ContactForm};
use super::currencies::CurrencyList;
use crate::api::ApiError;
use crate::i18n::{error_text, Locale};
use crate::state::asks_for_amount;
use crate::timing;

/// Picking a coin and network, with the amount first when the payer sets it and the payer's
/// contact when the provider needs it.
///
/// Enter in the amount field checks the amount; when it can be paid, a checkout with one
/// currency is picked at once, and otherwise focus moves to the first currency, so a second
/// Enter picks it (the payer still chooses the coin).
#[component]
pub fn Choose(
    /// The checkout being paid.
    checkout: CheckoutView,
    /// The payer's language.
    locale: Locale,
    /// Creates (or reuses) the payment for a choice.
    on_pick: impl Fn(PickCurrencyRequest) + Copy + Send + Sync + 'static,
    /// True while a pick is on its way to the server.
    busy: RwSignal<bool>,
    /// The server's refusal of the last pick, if any.
    error: RwSignal<Option<ApiError>>,
) -> impl IntoView {
    let asks_amount = asks_for_amount(&checkout);
    let asks_contact = checkout.payer_contact_required;
    let entry = AmountEntry::new(&checkout, locale);
    let contact = ContactEntry::default();
    let choose = move |option: &CurrencyOption| {
        if busy.get_untracked() {
            return;
        }
        // Both fields are checked, so the payer sees every complaint at once.
        let amount = asks_amount.then(|| entry.validate());
        let payer_contact = asks_contact.then(|| contact.validate());
        if matches!(amount, Some(None)) || matches!(payer_contact, Some(None)) {
            return;
        }
        on_pick(PickCurrencyRequest {
            currency: option.code.clone(),
            network: option.network.clone(),
            amount: amount.flatten(),
            payer_contact: payer_contact.flatten(),
        });
    };
    let only_one = checkout.currencies.len() == 1;
    let on_enter = move |field: web_sys::Element| {
        if entry.validate().is_none() {
            return;
        }
        if let Some(button) = first_currency(&field) {
            if only_one {
                // Picked the way a click picks it.
                button.click();
            } else {
                let _ = button.focus();
            }
        }
    };
    let contact_form = asks_contact.then(|| {
        let provider = checkout
            .currencies
            .first()
            .map(|o| o.network_name.clone())
            .unwrap_or_default();
        view! { <ContactForm entry=contact provider=provider locale=locale /> }.into_any()
    });
    let amount_form = asks_amount.then(|| {
        view! {
            <AmountForm entry=entry currency=checkout.amount_currency.clone().unwrap_or_default()
                presets=checkout.suggested_amounts.clone() locale=locale on_enter=on_enter />
        }
        .into_any()
    });

    Effect::new(move |_| timing::mark(timing::INTERACTIVE_MARK));

    view! {
        <section class="choose" {attr("part", "choose")}>
            {amount_form}
            {contact_form}
            <CurrencyList options=checkout.currencies locale=locale busy=busy on_choose=choose />
            {move || error.get().map(|e| view! {
                <p class="field-error" {attr("role", "alert")}>{error_text(&e, locale)}</p>
            }.into_any())}
        </section>
    }
}

/// The first currency button that can be pressed, in the view around `field`.
fn first_currency(field: &web_sys::Element) -> Option<web_sys::HtmlElement> {
    field
        .closest(".choose")
        .ok()??
        .query_selector("button.currency:not([disabled])")
        .ok()??
        .dyn_into()
        .ok()
}
