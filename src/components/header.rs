//! Who is asking for how much. The merchant's words are the merchant's: isolated in their own
//! direction (`dir=auto`), stripped of bidirectional controls, clamped with the whole text a
//! tap or hover away.

use leptos::prelude::*;
use protocol::CheckoutView;

use super::icons::{CoinIcon, Sprite};
use super::{attr, handler};
use crate::format;
use crate::i18n::Locale;
use crate::state::{is_web_url, without_bidi_controls};

/// Who is asking for how much: the merchant's logo, the checkout's name and description, and
/// the price in fiat and, once a coin is picked, in crypto. It also holds the icon sprite,
/// since every loaded view shows the header.
#[component]
pub fn Header(
    /// The checkout as the server last described it.
    checkout: CheckoutView,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let tag = locale.tag();
    // A logo that does not load leaves no broken-image box behind.
    let logo = checkout.logo_url.filter(|u| is_web_url(u)).map(|src| {
        view! {
            <img class="logo" {attr("part", "logo")} {attr("src", src)} {attr("alt", "")} {attr("width", "40")} {attr("height", "40")}
                on:error=handler(|ev: leptos::ev::ErrorEvent| {
                    let _ = event_target::<web_sys::Element>(&ev).set_attribute("hidden", "");
                }) />
        }
        .into_any()
    });
    let price = checkout
        .price
        .as_ref()
        .map(|p| format::money(tag, &p.amount, &p.currency));
    let crypto = checkout.payment.as_ref().map(|p| {
        let shown = format::money(tag, &p.amount, &p.currency);
        view! {
            <span class="price-crypto">
                <CoinIcon code=p.currency.clone() network=p.network.clone() />{shown}
            </span>
        }
        .into_any()
    });
    // A sandbox checkout says so above everything else, on every screen.
    let test_badge = checkout.test.then(|| {
        view! { <p class="test-badge" {attr("part", "test-badge")} {attr("role", "note")}>{locale.messages().test_payment()}</p> }.into_any()
    });
    let name = without_bidi_controls(&checkout.name);
    let title = name.clone();
    let description = checkout.description.map(|d| {
        let d = without_bidi_controls(&d);
        let title = d.clone();
        view! { <p class="description" {attr("dir", "auto")} {attr("title", title)} use:tab_stop>{d}</p> }.into_any()
    });
    view! {
        <Sprite />
        {test_badge}
        <header class="header" {attr("part", "header")}>
            {logo}
            <div class="header-text">
                <h2 class="name" {attr("dir", "auto")} {attr("title", title)}>{name}</h2>
                {description}
            </div>
            <div class="price" {attr("part", "price")}>
                {price.map(|p| view! { <span class="price-fiat">{p}</span> }.into_any())}
                {crypto}
            </div>
        </header>
    }
}

/// Makes the clamped description a Tab stop, so a keyboard user can focus it to read it whole.
/// Given by this directive rather than a `tabindex` attribute of the view: with Leptos's
/// `erase_components` (the shipped build), every re-render of the header (each live update)
/// removes and re-adds the attributes the view gives, and an element whose `tabindex` is
/// removed while it has focus loses it to the page's `<body>`. A directive's work is never
/// undone by a re-render, only done again.
fn tab_stop(element: web_sys::Element) {
    let _ = element.set_attribute("tabindex", "0");
}
