//! The amount a payer sets (for checkouts without a fixed price): preset chips, the field, and
//! its validation message.

use leptos::prelude::*;

use super::{attr, handler};
use protocol::{Amount, CheckoutView};

use crate::format;
use crate::i18n::{amount_error_text, fill, Locale};
use crate::state::{amount_decimals, parse_amount_input};

/// What the payer has typed and what is wrong with it. Shared by the form, which edits it, and
/// the currency buttons, which validate it before a pick.
#[derive(Clone, Copy)]
pub struct AmountEntry {
    typed: RwSignal<String>,
    /// The complaint about it, empty when there is none (a `String` like `typed`, not an
    /// `Option`: every distinct signal type adds its own copy of the reactive code).
    error: RwSignal<String>,
    locale: Locale,
    /// The locale's decimal and group separators, which the payer types.
    separators: (char, char),
    max_decimals: u8,
    min: Option<Amount>,
    max: Option<Amount>,
}

impl AmountEntry {
    pub fn new(checkout: &CheckoutView, locale: Locale) -> AmountEntry {
        AmountEntry {
            typed: RwSignal::new(String::new()),
            error: RwSignal::new(String::new()),
            locale,
            separators: format::locale_separators(locale.tag()),
            max_decimals: amount_decimals(checkout),
            min: checkout.min_amount,
            max: checkout.max_amount,
        }
    }

    /// The typed amount if it can be paid; otherwise the reason is shown and `None` returned.
    ///
    /// Signals are read with `try_`: the field's `blur` can arrive after the view that owned
    /// them is gone (a pick that did not move focus replaces the view while the field still has
    /// it), and reading a disposed signal would abort the whole widget.
    pub fn validate(self) -> Option<Amount> {
        let (decimal, group) = self.separators;
        let text = self.typed.try_get_untracked()?;
        match parse_amount_input(&text, decimal, group, self.max_decimals, self.min, self.max) {
            Ok(amount) => {
                self.error.try_set(String::new());
                Some(amount)
            }
            Err(e) => {
                self.error
                    .try_set(amount_error_text(e, self.locale, self.min));
                None
            }
        }
    }

    /// "From 10.00 to 1,000.00": the limits, said before any complaint.
    fn range(self) -> Option<String> {
        let tag = self.locale.tag();
        let (min, max) = (self.min?, self.max?);
        Some(fill(
            self.locale.messages().amount_range(),
            &[
                ("min", &format::number(tag, &min)),
                ("max", &format::number(tag, &max)),
            ],
        ))
    }

    /// Whether the payer has typed anything (false once the view is gone).
    fn has_text(self) -> bool {
        self.typed
            .try_with_untracked(|text| !text.trim().is_empty())
            .unwrap_or(false)
    }

    /// A new text from the payer: the old complaint no longer applies.
    fn replace(self, text: String) {
        self.typed.set(text);
        self.error.set(String::new());
    }
}

/// The amount field with the merchant's suggested amounts as one-tap chips, and the limits
/// under it.
#[component]
pub fn AmountForm(
    /// The amount being edited.
    entry: AmountEntry,
    /// The currency the amount is in.
    currency: String,
    /// The merchant's suggested amounts.
    presets: Vec<Amount>,
    /// The payer's language.
    locale: Locale,
    /// Enter in the field (given): the payer is done typing.
    on_enter: impl Fn(web_sys::Element) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let label = fill(locale.messages().amount_label(), &[("currency", &currency)]);
    let error = entry.error;
    let preset_buttons = presets
        .into_iter()
        .map(|preset| {
            let shown = format::number(locale.tag(), &preset);
            let value = shown.clone();
            view! {
                <button {attr("type", "button")} class="chip" on:click=handler(move |_| entry.replace(value.clone()))>
                    {shown}
                </button>
            }
            // Lists of `AnyView` share one list type with the address groups and currencies.
            .into_any()
        })
        .collect_view();
    view! {
        <div class="amount-form" {attr("part", "amount")}>
            <label class="label" {attr("for", "cw-amount")}>{label}</label>
            <div class="chips">{preset_buttons}</div>
            <input {attr("id", "cw-amount")} class="input" {attr("type", "text")} {attr("inputmode", "decimal")} {attr("autocomplete", "off")}
                {attr("aria-describedby", "cw-amount-hint cw-amount-error")}
                {attr("aria-invalid", move || if error.with(String::is_empty) { "false" } else { "true" })}
                prop:value=move || entry.typed.get()
                on:input=handler(move |ev| entry.replace(event_target_value(&ev)))
                on:keydown=handler(move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        on_enter(event_target(&ev));
                    }
                })
                on:blur=handler(move |_| {
                    if entry.has_text() {
                        entry.validate();
                    }
                }) />
            <p {attr("id", "cw-amount-hint")} class="hint">{entry.range().map(IntoAny::into_any)}</p>
            <p {attr("id", "cw-amount-error")} class="field-error" {attr("role", "alert")}>
                {move || error.get()}
            </p>
        </div>
    }
}
