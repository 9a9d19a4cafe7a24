use leptos::prelude::*;
use protocol::CheckoutView;

use super::copy::CopyButton;
use super::qr::Qr;
use crate::format;
use crate::i18n::{fill, Locale, Messages};
use crate::state::{is_web_url, Screen};

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
        Screen::Expired { .. } => t.expired_title(),
        Screen::Cancelled => t.cancelled_title(),
    }
}

/// The end of the journey, or a stop on it that needs the merchant: paid, part paid, overpaid,
/// paid late, expired, cancelled.
#[component]
pub fn Outcome(
    /// The checkout as the server last described it.
    checkout: CheckoutView,
    /// Which outcome.
    screen: Screen,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let t = locale.messages();
    let tag = locale.tag();
    let title = announcement(t, screen);
    let payment = checkout.payment.clone();
    let body = match screen {
        Screen::Success => None,
        Screen::Underpaid => payment.as_ref().map(|p| {
            fill(
                t.underpaid_body(),
                &[(
                    "amount",
                    &format::money(tag, &p.amount_remaining, &p.currency),
                )],
            )
        }),
        Screen::Overpaid => Some(t.overpaid_body().to_owned()),
        Screen::PaidLate => Some(t.paid_late_body().to_owned()),
        Screen::Expired { partial: true } => Some(t.expired_partial_body().to_owned()),
        Screen::Expired { partial: false } => Some(t.expired_body().to_owned()),
        _ => None,
    };
    let tone = match screen {
        Screen::Success => "success",
        Screen::Expired { .. } | Screen::Cancelled => "neutral",
        _ => "attention",
    };
    // Part paid: the rest can be paid from here, with its own QR and amount.
    let remainder = (screen == Screen::Underpaid)
        .then_some(payment)
        .flatten()
        .map(|p| {
            let (uri, matrix) = match &p.remaining_wallet_uri {
                Some(uri) => (uri.clone(), p.remaining_wallet_qr.clone()),
                None => (p.wallet_uri.clone(), p.wallet_qr.clone()),
            };
            view! {
                <div class="value-row">
                    <p class="amount remaining" part="remaining">
                        {format::money(tag, &p.amount_remaining, &p.currency)}
                    </p>
                    <CopyButton value=crate::state::for_display(p.amount_remaining).to_string() label=t.copy_amount() locale=locale />
                </div>
                <div class="value-row">
                    <p class="address" data-address=p.address.clone()>{p.address.clone()}</p>
                    <CopyButton value=p.address.clone() label=t.copy_address() locale=locale />
                </div>
                <Qr uri=uri matrix=matrix locale=locale />
            }
        });
    let return_link = (screen == Screen::Success)
        .then_some(checkout.return_url)
        .flatten()
        .filter(|u| is_web_url(u))
        .map(|url| {
            view! {
                <a class="button" part="return-link" href=url>{t.return_to_merchant()}</a>
            }
        });
    view! {
        <section class=format!("outcome {tone}") part="outcome" data-screen=screen.name()>
            <div class="outcome-icon" aria-hidden="true"></div>
            <h3 class="title">{title}</h3>
            {body.map(|b| view! { <p class="outcome-body">{b}</p> })}
            {remainder}
            {return_link}
        </section>
    }
}
