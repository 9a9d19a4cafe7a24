use leptos::prelude::*;
use protocol::{Amount, CheckoutType, CheckoutView, CurrencyOption, PickCurrencyRequest};

use super::app::error_text;
use crate::api::ApiError;
use crate::format;
use crate::i18n::{fill, Locale};
use crate::state::{matches_filter, needs_filter, parse_amount_input, AmountInputError};

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
    let t = locale.messages();
    let asks_amount = checkout.checkout_type != CheckoutType::FixedPrice;
    let amount_currency = checkout.amount_currency.clone().unwrap_or_default();
    let (min, max) = (checkout.min_amount, checkout.max_amount);
    let typed = RwSignal::new(String::new());
    let amount_error = RwSignal::new(None::<String>);
    let query = RwSignal::new(String::new());
    let (decimal, group) = format::locale_separators(locale.tag());
    // Fiat amounts take two decimals; a coin-denominated amount takes the coin's.
    let max_decimals = checkout
        .currencies
        .iter()
        .find(|c| c.code == amount_currency)
        .map(|c| c.decimals)
        .unwrap_or(2);

    let explain = move |e: AmountInputError| -> String {
        let tag = locale.tag();
        match e {
            AmountInputError::Empty => t.amount_required().to_owned(),
            AmountInputError::TooPrecise { decimals } => {
                fill(t.amount_precise(), &[("n", &decimals.to_string())])
            }
            AmountInputError::BelowMinimum(min) => {
                fill(t.amount_min(), &[("amount", &format::number(tag, &min))])
            }
            AmountInputError::AboveMaximum(max) => {
                fill(t.amount_max(), &[("amount", &format::number(tag, &max))])
            }
            AmountInputError::NotANumber | AmountInputError::Zero => {
                let example = min
                    .map(|m| format::number(tag, &m))
                    .unwrap_or_else(|| "10".into());
                fill(t.amount_invalid(), &[("example", &example)])
            }
        }
    };
    let validate = move || -> Option<Amount> {
        let text = typed.get_untracked();
        match parse_amount_input(&text, decimal, group, max_decimals, min, max) {
            Ok(amount) => {
                amount_error.set(None);
                Some(amount)
            }
            Err(e) => {
                amount_error.set(Some(explain(e)));
                None
            }
        }
    };
    let choose = move |option: &CurrencyOption| {
        if busy.get_untracked() {
            return;
        }
        let amount = if asks_amount {
            match validate() {
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

    let presets = checkout.suggested_amounts.clone();
    let amount_form = asks_amount.then(|| {
        let label = fill(t.amount_label(), &[("currency", &amount_currency)]);
        let preset_buttons = presets
            .into_iter()
            .map(|preset| {
                let shown = format::number(locale.tag(), &preset);
                let value = shown.clone();
                view! {
                    <button type="button" class="chip" on:click=move |_| {
                        typed.set(value.clone());
                        amount_error.set(None);
                    }>{shown}</button>
                }
            })
            .collect_view();
        view! {
            <div class="amount-form" part="amount">
                <label class="label" for="cw-amount">{label}</label>
                <div class="chips">{preset_buttons}</div>
                <input id="cw-amount" class="input" type="text" inputmode="decimal" autocomplete="off"
                    aria-describedby="cw-amount-error"
                    aria-invalid=move || if amount_error.get().is_some() { "true" } else { "false" }
                    prop:value=move || typed.get()
                    on:input=move |ev| {
                        typed.set(event_target_value(&ev));
                        amount_error.set(None);
                    }
                    on:blur=move |_| {
                        if !typed.get_untracked().trim().is_empty() {
                            validate();
                        }
                    } />
                <p id="cw-amount-error" class="field-error" role="alert">
                    {move || amount_error.get().unwrap_or_default()}
                </p>
            </div>
        }
    });

    let options = checkout.currencies.clone();
    let filter_box = needs_filter(options.len()).then(|| {
        view! {
            <input class="input filter" type="search" aria-label=t.filter() placeholder=t.filter()
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev)) />
        }
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
            .map(|option| {
                let code = option.code.clone();
                let name = option.name.clone();
                let network = option.network_name.clone();
                view! {
                    <li>
                        <button type="button" class="currency" part="currency"
                            data-currency=option.code.clone() data-network=option.network.clone()
                            disabled=move || busy.get()
                            on:click=move |_| choose(&option)>
                            <span class="currency-code">{code}</span>
                            <span class="currency-name">{name}</span>
                            <span class="network" part="network">{network}</span>
                        </button>
                    </li>
                }
            })
            .collect_view()
            .into_any()
    };

    Effect::new(move |_| {
        if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
            let _ = performance.mark(INTERACTIVE_MARK);
        }
    });

    view! {
        <section class="choose" part="choose">
            {amount_form}
            <h3 class="section-title" id="cw-pay-with">{t.pay_with()}</h3>
            {filter_box}
            <ul class="currencies" aria-labelledby="cw-pay-with">{list}</ul>
            {move || error.get().map(|e| view! {
                <p class="field-error" role="alert">{error_text(&e, locale)}</p>
            })}
        </section>
    }
}
