use leptos::prelude::*;
use protocol::{CheckoutView, CurrencyOption, PaymentView, PickCurrencyRequest};

use super::copy::CopyButton;
use super::countdown::{seconds_left, Countdown, SecondsLeft};
use super::qr::Qr;
use super::{attr, handler};
use crate::format;
use crate::i18n::{fill, Locale};
use crate::state::{
    can_choose_again, for_display, group_address, is_wallet_uri, payment_page, requote_request,
    short_by,
};

/// Where to send what: exact amount, full address, QR, wallet link, the network warning, the
/// time the amount holds, and a way back while nothing has been paid. When the quote ends with
/// nothing paid, the address leaves the screen and a fresh quote for the same coin is offered.
#[component]
pub fn Pay(
    /// The checkout, with its active payment.
    checkout: CheckoutView,
    /// The payer's language.
    locale: Locale,
    /// Returns to the currency list.
    on_back: impl Fn() + Copy + Send + Sync + 'static,
    /// Asks for a fresh quote of the same coin once the quote ended. A plain closure, not a
    /// `Callback`: one fewer kind of stored value in the download.
    on_requote: impl Fn(PickCurrencyRequest) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = locale.messages();
    let back_allowed = can_choose_again(&checkout);
    let requote = requote_request(&checkout);
    let short = short_note(locale, &checkout);
    // Part already arrived: the amount, the QR code and the wallet link ask for the rest only,
    // so a payer following them cannot send the whole amount a second time.
    let rest = short_by(&checkout).is_some();
    let closes = seconds_left(&checkout.expires_at);
    let Some(payment) = checkout.payment else {
        return ().into_any();
    };
    if payment.payment_url.is_some() {
        let page = PagePayment {
            url: payment_page(&payment).map(str::to_owned),
            provider: option_name(&checkout.currencies, &payment),
            payment: payment.clone(),
            closes,
        };
        return page_view(locale, page, back_allowed, on_back).into_any();
    }
    let asked = match (&payment.remaining_wallet_uri, rest) {
        (Some(uri), true) => (uri.clone(), payment.remaining_wallet_qr.clone()),
        _ => (payment.wallet_uri.clone(), payment.wallet_qr.clone()),
    };
    let left = seconds_left(&payment.rate_expires_at);
    let can_requote = requote.is_some();
    let ended = move || can_requote && left.get() <= 0;
    view! {
        <section class="pay" {attr("part", "pay")}>
            <h3 class="sr-only">{t.status_waiting()}</h3>
            {short}
            {quote_ended(locale, ended, requote, on_requote)}
            <div class="pay-details" {attr("hidden", ended)}>
            {amount_and_address(locale, &payment, rest)}
            <Qr uri=asked.0.clone() matrix=asked.1 locale=locale />
            {wallet_link(locale, &asked.0)}
            {network_warning(locale, &checkout.currencies, &payment)}
            <Countdown quote=Some(left) checkout=closes requote=can_requote locale=locale />
            </div>
            {back_allowed.then(|| view! {
                <button {attr("type", "button")} class="link-button" {attr("part", "back")} on:click=handler(move |_| on_back())>
                    {t.back()}
                </button>
            }.into_any())}
        </section>
    }
    .into_any()
}

/// Said in place of the address once the quote ended with nothing paid: why, and a button that
/// asks for a fresh quote of the same coin.
fn quote_ended(
    locale: Locale,
    ended: impl Fn() -> bool + Copy + Send + Sync + 'static,
    requote: Option<PickCurrencyRequest>,
    on_requote: impl Fn(PickCurrencyRequest) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = locale.messages();
    let ask_again = move |_| {
        if let Some(request) = requote.clone() {
            on_requote(request);
        }
    };
    view! {
        <div class="quote-ended" {attr("part", "quote-ended")} {attr("role", "status")} {attr("hidden", move || !ended())}>
            <p>{t.quote_ended()}</p>
            <button {attr("type", "button")} class="button" {attr("part", "requote")} on:click=handler(ask_again)>
                {t.new_quote()}
            </button>
        </div>
    }
}

/// Funds seen, but fewer than due: said the moment they are seen, with what is still due.
pub fn short_note(locale: Locale, checkout: &CheckoutView) -> Option<impl IntoView> {
    let payment = checkout.payment.as_ref()?;
    let due = short_by(checkout)?;
    let amount = format::money(locale.tag(), &due, &payment.currency);
    let text = fill(locale.messages().short_by(), &[("amount", &amount)]);
    Some(view! { <p class="warning short" {attr("part", "short")} {attr("role", "note")}>{text}</p> }.into_any())
}

/// "Open in wallet", for a payment scheme only.
pub fn wallet_link(locale: Locale, uri: &str) -> Option<impl IntoView> {
    is_wallet_uri(uri).then(|| {
        view! {
            <a class="button secondary" {attr("part", "wallet-link")} {attr("href", uri.to_owned())}>
                {locale.messages().open_wallet()}
            </a>
        }
        .into_any()
    })
}

/// Which coin on which network, and that anything else is lost.
pub fn network_warning(
    locale: Locale,
    options: &[CurrencyOption],
    payment: &PaymentView,
) -> impl IntoView {
    // "TRC-20" must not break at its hyphen: a non-breaking one keeps the name whole.
    let network_name = option_name(options, payment).replace('-', "\u{2011}");
    let warning = fill(
        locale.messages().warning(),
        &[("coin", &payment.currency), ("network", &network_name)],
    );
    view! { <p class="warning" {attr("part", "warning")} {attr("role", "note")}>{warning}</p> }
}

/// The exact amount (with its fiat equivalent) and the full address, each with a copy button;
/// for the `rest` of an underpaid payment, what is still due (its fiat value is not known).
pub fn amount_and_address(locale: Locale, payment: &PaymentView, rest: bool) -> impl IntoView {
    let t = locale.messages();
    let tag = locale.tag();
    let due = if rest {
        payment.amount_remaining
    } else {
        payment.amount
    };
    let amount_text = format::money(tag, &due, &payment.currency);
    let fiat = payment.fiat.as_ref().filter(|_| !rest).map(|f| {
        fill(
            t.fiat_equivalent(),
            &[("amount", &format::money(tag, &f.amount, &f.currency))],
        )
    });
    let groups = group_address(&payment.address)
        .into_iter()
        // Lists of `AnyView` share one list type with the currencies and amount chips.
        .map(|g| view! { <span class="address-group">{g}</span> }.into_any())
        .collect_view();
    view! {
        <div class="field">
            <p class="label" {attr("id", "cw-amount-label")}>{t.send_exactly()}</p>
            <div class="value-row">
                <p class=if rest { "amount remaining" } else { "amount" } {attr("part", "amount")}
                    {attr("aria-labelledby", "cw-amount-label")}>{amount_text}</p>
                <CopyButton value=for_display(due).to_string() label=t.copy_amount() locale=locale />
            </div>
            {fiat.map(|f| view! { <p class="muted fiat">{f}</p> }.into_any())}
        </div>
        <div class="field">
            <p class="label" {attr("id", "cw-address-label")}>{t.to_address()}</p>
            <div class="value-row">
                <p class="address" {attr("part", "address")} {attr("aria-labelledby", "cw-address-label")}
                    data-address=payment.address.clone()>{groups}</p>
                <CopyButton value=payment.address.clone() label=t.copy_address() locale=locale />
            </div>
        </div>
    }
}

/// A payment made on the provider's own page (Coins.ph): where, and for how much.
struct PagePayment {
    /// `None` when what the server sent is not an `https` page: nothing is linked then.
    url: Option<String>,
    provider: String,
    payment: PaymentView,
    /// Seconds before the checkout closes.
    closes: SecondsLeft,
}

/// The network name of the payment's option (`Coins.ph`), which names the page's provider.
fn option_name(options: &[CurrencyOption], payment: &PaymentView) -> String {
    options
        .iter()
        .find(|c| c.is(&payment.currency, &payment.network))
        .map(|c| c.network_name.clone())
        .unwrap_or_else(|| payment.network.clone())
}

/// The payment is made on the provider's page, not to an address: one link that opens it in a
/// new tab, with the amount, and no address, QR code, copy button or network warning. The
/// status still follows live, so this view gives way to the outcome once the provider says so.
fn page_view(
    locale: Locale,
    page: PagePayment,
    back_allowed: bool,
    on_back: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = locale.messages();
    let payment = &page.payment;
    let amount = format::money(locale.tag(), &payment.amount, &payment.currency);
    let label = fill(
        t.pay_on_page(),
        &[("amount", &amount), ("provider", &page.provider)],
    );
    let note = fill(t.page_note(), &[("provider", &page.provider)]);
    let left = seconds_left(&payment.rate_expires_at);
    view! {
        <section class="pay pay-page" {attr("part", "pay")}>
            <h3 class="sr-only">{t.status_waiting()}</h3>
            {page.url.map(|url| view! {
                <a class="button" {attr("part", "payment-page")} {attr("href", url)} {attr("target", "_blank")} {attr("rel", "noopener")}>
                    {label}
                </a>
            }.into_any())}
            <p class="muted" {attr("part", "page-note")}>{note}</p>
            <Countdown quote=Some(left) checkout=page.closes locale=locale />
            {back_allowed.then(|| view! {
                <button {attr("type", "button")} class="link-button" {attr("part", "back")} on:click=handler(move |_| on_back())>
                    {t.back()}
                </button>
            }.into_any())}
        </section>
    }
}
