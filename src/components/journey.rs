//! A loaded checkout on screen: who asks for how much, the screen its status calls for, and the
//! way to the merchant's support.

use leptos::prelude::*;
use protocol::CheckoutView;

use super::choose::Choose;
use super::feedback::SupportLink;
use super::header::Header;
use super::outcome::Outcome;
use super::pay::Pay;
use super::processing::Processing;
use super::session::Session;
use super::test_panel::test_panel;
use crate::i18n::Locale;
use crate::state::{screen, Screen};

/// Plain functions rather than components: the caller's reactive closure must track
/// `choosing`, which a component body would not.
pub fn journey(checkout: CheckoutView, session: Session, locale: Locale) -> impl IntoView {
    // A payment in review carries its own way to support, in its body.
    let support = checkout
        .support_url
        .clone()
        .filter(|_| screen(&checkout, session.choosing.get()) != Screen::Review);
    let test_panel = test_panel(&checkout, session, locale);
    view! {
        <Header checkout=checkout.clone() locale=locale />
        {current_screen(checkout, session, locale)}
        <SupportLink url=support locale=locale />
        {test_panel}
    }
}

fn current_screen(checkout: CheckoutView, session: Session, locale: Locale) -> AnyView {
    let choosing = session.choosing;
    match screen(&checkout, choosing.get()) {
        Screen::Choose => view! {
            <Choose checkout=checkout locale=locale on_pick=move |request| session.pick(request)
                busy=session.busy error=session.pick_error />
        }
        .into_any(),
        Screen::Pay => view! {
            <Pay checkout=checkout locale=locale on_back=move || choosing.set(true)
                on_requote=move |request| session.pick(request) />
        }
        .into_any(),
        Screen::Processing => view! { <Processing checkout=checkout locale=locale /> }.into_any(),
        other => view! {
            <Outcome checkout=checkout screen=other locale=locale
                can_restart=session.can_restart() on_restart=move || session.restart() />
        }
        .into_any(),
    }
}
