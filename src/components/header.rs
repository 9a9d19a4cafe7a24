use leptos::prelude::*;
use protocol::CheckoutView;

use crate::format;
use crate::i18n::Locale;
use crate::state::is_web_url;

/// Who is asking for how much: the merchant's logo, the checkout's name and description, and
/// the price in fiat and, once a coin is picked, in crypto.
#[component]
pub fn Header(
    /// The checkout as the server last described it.
    checkout: CheckoutView,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let tag = locale.tag();
    let logo = checkout.logo_url.filter(|u| is_web_url(u)).map(
        |src| view! { <img class="logo" part="logo" src=src alt="" width="40" height="40" /> },
    );
    let price = checkout
        .price
        .as_ref()
        .map(|p| format::money(tag, &p.amount, &p.currency));
    let crypto = checkout
        .payment
        .as_ref()
        .map(|p| format::money(tag, &p.amount, &p.currency));
    // A sandbox checkout says so above everything else, on every screen.
    let test_badge = checkout.test.then(|| {
        view! { <p class="test-badge" part="test-badge" role="note">{locale.messages().test_payment()}</p> }
    });
    view! {
        {test_badge}
        <header class="header" part="header">
            {logo}
            <div class="header-text">
                <h2 class="name">{checkout.name}</h2>
                {checkout.description.map(|d| view! { <p class="description">{d}</p> })}
            </div>
            <div class="price" part="price">
                {price.map(|p| view! { <span class="price-fiat">{p}</span> })}
                {crypto.map(|c| view! { <span class="price-crypto">{c}</span> })}
            </div>
        </header>
    }
}
