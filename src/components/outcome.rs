use leptos::prelude::*;
use protocol::{CheckoutView, PaymentView};

use super::countdown::{seconds_left, Countdown};
use super::feedback::SupportLink;
use super::icons::{Status, StatusIcon};
use super::pay::{amount_and_address, network_warning, wallet_link};
use super::qr::Qr;
use super::{attr, handler};
use crate::format;
use crate::i18n::{fill, Locale, Messages};
use crate::state::{is_web_url, links_back, Screen};

/// What the `aria-live` region says for a screen.
pub fn announcement(t: &'static Messages, screen: Screen) -> &'static str {
    match screen {
        Screen::Choose => t.pay_with(),
        Screen::Pay => t.status_waiting(),
        Screen::Processing => t.processing_title(),
        Screen::Success => t.success_title(),
        Screen::Underpaid => t.underpaid_title(),
        Screen::Overpaid => t.overpaid_title(),
        Screen::PaidLate => t.paid_late_title(),
        Screen::Review => t.review_title(),
        Screen::Expired { .. } => t.expired_title(),
        Screen::Cancelled => t.cancelled_title(),
    }
}

/// The end of the journey, or a stop on it that needs the merchant: paid, part paid, overpaid,
/// paid late, in review, expired, cancelled.
#[component]
pub fn Outcome(
    /// The checkout as the server last described it.
    checkout: CheckoutView,
    /// Which outcome.
    screen: Screen,
    /// The payer's language.
    locale: Locale,
    /// Whether a fresh checkout can replace an expired one: a payment link can; a checkout id
    /// cannot, and the payer is told so.
    #[prop(optional)]
    can_restart: bool,
    /// Opens that fresh checkout. A plain closure, not a `Callback`: one fewer kind of stored
    /// value in the download.
    on_restart: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let t = locale.messages();
    let class = match screen {
        Screen::Success => "outcome success",
        Screen::Expired { .. } | Screen::Cancelled => "outcome neutral",
        _ => "outcome attention",
    };
    let body = body(locale, &checkout, screen);
    // Part paid: the rest is paid from here exactly as the payment itself was.
    let remainder = (screen == Screen::Underpaid)
        .then(|| checkout.payment.clone())
        .flatten()
        .map(|p| remainder(locale, &checkout, p));
    let support = (screen == Screen::Review).then(|| {
        view! { <SupportLink url=checkout.support_url.clone() locale=locale /> }.into_any()
    });
    let restart = (screen == Screen::Expired { partial: false })
        .then(|| restart(locale, can_restart.then_some(on_restart)));
    let return_link = links_back(screen)
        .then_some(checkout.return_url)
        .flatten()
        .filter(|u| is_web_url(u))
        .map(|url| {
            view! {
                <a class="button" {attr("part", "return-link")} {attr("href", url)}>{t.return_to_merchant()}</a>
            }
            .into_any()
        });
    view! {
        <section {attr("part", "outcome")} class=class data-screen=screen.name()>
            {Status::of(screen).map(|status| view! { <StatusIcon status=status /> }.into_any())}
            <h3 class="title">{announcement(t, screen)}</h3>
            {body.map(|b| view! { <p class="outcome-body">{b}</p> }.into_any())}
            {remainder}
            {support}
            {restart}
            {return_link}
        </section>
    }
}

/// What happened and what happens next, in a sentence.
fn body(locale: Locale, checkout: &CheckoutView, screen: Screen) -> Option<String> {
    let t = locale.messages();
    let payment = checkout.payment.as_ref();
    match screen {
        Screen::Underpaid => payment.map(|p| {
            let due = format::money(locale.tag(), &p.amount_remaining, &p.currency);
            fill(t.underpaid_body(), &[("amount", &due)])
        }),
        Screen::Overpaid => Some(t.overpaid_body().to_owned()),
        Screen::PaidLate => Some(t.paid_late_body().to_owned()),
        Screen::Review => Some(fill(t.review_body(), &[("id", &checkout.id)])),
        Screen::Expired { partial: true } => Some(t.expired_partial_body().to_owned()),
        Screen::Expired { partial: false } => Some(t.expired_body().to_owned()),
        _ => None,
    }
}

/// The rest of an underpaid payment, with the main payment's labels, grouped address, copy
/// buttons, QR code, wallet link and warning, and the time left to send it.
fn remainder(locale: Locale, checkout: &CheckoutView, p: PaymentView) -> AnyView {
    let (uri, matrix) = match &p.remaining_wallet_uri {
        Some(uri) => (uri.clone(), p.remaining_wallet_qr.clone()),
        None => (p.wallet_uri.clone(), p.wallet_qr.clone()),
    };
    let closes = seconds_left(&checkout.expires_at);
    view! {
        {amount_and_address(locale, &p, true)}
        <Qr uri=uri.clone() matrix=matrix locale=locale />
        {wallet_link(locale, &uri)}
        {network_warning(locale, &checkout.currencies, &p)}
        <Countdown quote=None checkout=closes locale=locale />
    }
    .into_any()
}

/// A fresh start where one is possible, else the plain truth that this one cannot reopen.
fn restart(locale: Locale, on_restart: Option<impl Fn() + 'static>) -> AnyView {
    let t = locale.messages();
    match on_restart {
        Some(restart) => view! {
            <button {attr("type", "button")} class="button" {attr("part", "start-again")}
                on:click=handler(move |_| restart())>
                {t.start_again()}
            </button>
        }
        .into_any(),
        None => {
            view! { <p class="muted" {attr("part", "no-restart")}>{t.expired_no_restart()}</p> }
                .into_any()
        }
    }
}
