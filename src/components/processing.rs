use leptos::prelude::*;
use protocol::CheckoutView;

use super::attr;
use super::pay::short_note;
use crate::format;
use crate::i18n::{fill, Locale};

/// Funds are on their way: how much was seen, whether it falls short, and how many
/// confirmations it has.
#[component]
pub fn Processing(
    /// The checkout, with its active payment.
    checkout: CheckoutView,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let t = locale.messages();
    let short = short_note(locale, &checkout);
    let payment = checkout.payment;
    let (n, m) = payment
        .as_ref()
        .map(|p| (p.confirmations, p.confirmations_required))
        .unwrap_or((0, 1));
    let paid = payment
        .as_ref()
        .map(|p| format::money(locale.tag(), &p.amount_paid, &p.currency));
    let progress = fill(
        t.confirmations(),
        &[("n", &n.to_string()), ("m", &m.to_string())],
    );
    view! {
        <section class="processing" {attr("part", "processing")}>
            <div class="spinner" {attr("aria-hidden", "true")}></div>
            <h3 class="title">{t.processing_title()}</h3>
            {paid.map(|p| view! { <p class="amount">{p}</p> }.into_any())}
            {short}
            <progress class="confirmations-bar" {attr("max", m.max(1).to_string())} {attr("value", n.min(m).to_string())}
                {attr("aria-label", progress.clone())}></progress>
            <p class="confirmations" {attr("part", "confirmations")}>{progress}</p>
        </section>
    }
}
