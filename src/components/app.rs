use leptos::prelude::*;
use leptos::task::spawn_local;

use super::feedback::{Failure, Skeleton};
use super::journey::journey;
use super::outcome::announcement;
use super::session::Session;
use crate::api::Api;
use crate::i18n::Locale;
use crate::locale_files;
use crate::state::screen;

/// One widget's screens in one language: the screen its checkout's status calls for. The
/// session (loading, following live) belongs to the element and outlives a change of language,
/// which re-renders this without asking the server again.
#[component]
pub fn App(
    /// The element's conversation with the server.
    session: Session,
    /// The client bound to this element's lifetime (for the language file).
    api: Api,
    /// The payer's language.
    locale: Locale,
    /// The directory `widget.js` was served from (with a trailing slash); the locale files are
    /// there.
    asset_base: String,
) -> impl IntoView {
    let ready = load_words(api, asset_base, locale);

    let announcement = move || {
        let t = locale.messages();
        if !ready.get() {
            return t.loading();
        }
        session.checkout.with(|c| {
            c.as_ref()
                .map(|c| announcement(t, screen(c, false)))
                .unwrap_or(t.loading())
        })
    };

    // `ready` after the first usable view has been rendered (the session says it once).
    Effect::new(move |_| {
        if !matches!(screen_name(session, ready), "loading" | "error") {
            session.announce_ready();
        }
    });

    view! {
        <div class="root" lang=locale.tag() dir=if locale.is_rtl() { "rtl" } else { "ltr" }
            data-screen=move || screen_name(session, ready)>
            <p class="sr-only" aria-live="polite" role="status">{announcement}</p>
            {move || (!session.healthy.get()).then(|| view! {
                <p class="banner" part="banner" role="alert">{locale.messages().reconnecting()}</p>
            })}
            {move || content(session, ready, locale)}
        </div>
    }
}

/// The payer's words arrive beside the checkout (English is built in); the skeleton stays
/// until both are here, so no view ever switches language under the payer's eyes.
fn load_words(api: Api, asset_base: String, locale: Locale) -> RwSignal<bool> {
    let ready = RwSignal::new(locale.is_loaded());
    if !locale.is_loaded() {
        spawn_local(async move {
            locale_files::load(&api, &asset_base, locale).await;
            let _ = ready.try_set(true);
        });
    }
    ready
}

/// `data-screen`, for styling and tests.
fn screen_name(session: Session, ready: RwSignal<bool>) -> &'static str {
    session.checkout.with(|c| match c {
        _ if !ready.get() => "loading",
        Some(c) => screen(c, session.choosing.get()).name(),
        None if session.load_error.with(Option::is_some) => "error",
        None => "loading",
    })
}

fn content(session: Session, ready: RwSignal<bool>, locale: Locale) -> AnyView {
    let loaded = ready.get().then(|| session.checkout.get()).flatten();
    match (loaded, session.load_error.get()) {
        _ if !ready.get() => view! { <Skeleton locale=locale /> }.into_any(),
        (Some(view), _) => journey(view, session, locale).into_any(),
        (None, Some(error)) => view! {
            <Failure error=error locale=locale retry=move || session.load() />
        }
        .into_any(),
        (None, None) => view! { <Skeleton locale=locale /> }.into_any(),
    }
}
