//! The coins and networks a checkout accepts, with a filter box once the list is long.

use leptos::prelude::*;
use protocol::CurrencyOption;

use super::icons::CoinIcon;
use super::{attr, handler};
use crate::i18n::Locale;
use crate::state::{matches_filter, needs_filter};

/// The "Pay with" list: one button per coin and network.
#[component]
pub fn CurrencyList(
    /// The checkout's options, in the server's order.
    options: Vec<CurrencyOption>,
    /// The payer's language.
    locale: Locale,
    /// True while a pick is on its way to the server: the buttons wait.
    busy: RwSignal<bool>,
    /// The payer chose an option.
    on_choose: impl Fn(&CurrencyOption) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = locale.messages();
    let query = RwSignal::new(String::new());
    let filter_box = needs_filter(options.len()).then(|| {
        view! {
            <input class="input filter" {attr("type", "search")} {attr("aria-label", t.filter())} {attr("placeholder", t.filter())}
                prop:value=move || query.get()
                on:input=handler(move |ev| query.set(event_target_value(&ev))) />
        }
        .into_any()
    });
    let list = move || {
        let q = query.get();
        let shown: Vec<_> = options
            .iter()
            .filter(|o| matches_filter(&q, &o.code, &o.name, &o.network_name))
            .cloned()
            .collect();
        if shown.is_empty() {
            return view! { <p class="muted">{t.no_match()}</p> }.into_any();
        }
        shown
            .into_iter()
            // Lists of `AnyView` share one list type with the address groups and amount chips.
            .map(|option| currency_button(option, busy, on_choose).into_any())
            .collect_view()
            .into_any()
    };
    view! {
        <h3 class="section-title" {attr("id", "cw-pay-with")}>{t.pay_with()}</h3>
        {filter_box}
        <ul class="currencies" {attr("aria-labelledby", "cw-pay-with")}>{list}</ul>
    }
}

fn currency_button(
    option: CurrencyOption,
    busy: RwSignal<bool>,
    on_choose: impl Fn(&CurrencyOption) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let code = option.code.clone();
    let name = option.name.clone();
    let network = option.network_name.clone();
    view! {
        <li>
            <button {attr("type", "button")} class="currency" {attr("part", "currency")}
                data-currency=option.code.clone() data-network=option.network.clone()
                {attr("disabled", move || busy.get())}
                on:click=handler(move |_| on_choose(&option))>
                <CoinIcon code=code.clone() network=option.network.clone() />
                <span class="currency-code">{code}</span>
                <span class="currency-name">{name}</span>
                <span class="network" {attr("part", "network")}>{network}</span>
            </button>
        </li>
    }
}
