use leptos::prelude::*;
use protocol::{CheckoutView, CurrencyOption, PickCurrencyRequest};

use super::amount::{AmountEntry, AmountForm};
use super::currencies::CurrencyList;
use crate::api::ApiError;
use crate::i18n::{error_text, Locale};
use crate::state::asks_for_amount;

/// The mark the benchmark measures: the currency list is on screen and can be used.
pub const INTERACTIVE_MARK: &str = "checkout-widget:interactive";

/// Picking a coin and network, with the amount first when the payer sets it.
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
    let entry = AmountEntry::new(&checkout, locale);
    let choose = move |option: &CurrencyOption| {
        if busy.get_untracked() {
            return;
        }
        let amount = if asks_amount {
            match entry.validate() {
                Some(amount) => Some(amount),
                None => return,
            }
        } else {
            None
        };
        on_pick(PickCurrencyRequest {
            currency: option.code.clone(),
            network: option.network.clone(),
            amount,
        });
    };
    let amount_form = asks_amount.then(|| {
        view! {
            <AmountForm entry=entry currency=checkout.amount_currency.clone().unwrap_or_default()
                presets=checkout.suggested_amounts.clone() locale=locale />
        }
    });

    Effect::new(move |_| mark_interactive());

    view! {
        <section class="choose" part="choose">
            {amount_form}
            <CurrencyList options=checkout.currencies locale=locale busy=busy on_choose=choose />
            {move || error.get().map(|e| view! {
                <p class="field-error" role="alert">{error_text(&e, locale)}</p>
            })}
        </section>
    }
}

fn mark_interactive() {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(INTERACTIVE_MARK);
    }
}
