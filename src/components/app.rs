use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, ShadowRoot};

use super::attr;
use super::feedback::{Failure, Skeleton};
use super::journey::journey;
use super::outcome::announcement;
use super::session::Session;
use crate::api::Api;
use crate::i18n::{error_text, Locale};
use crate::locale_files;
use crate::state::{moves_focus, screen};

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
            return t.loading().to_owned();
        }
        if let Some(error) = session.load_error.get() {
            return error_text(&error, locale);
        }
        session.checkout.with(|c| {
            c.as_ref()
                .map(|c| announcement(t, screen(c, false)))
                .unwrap_or(t.loading())
                .to_owned()
        })
    };

    follow_screen(session, ready);

    view! {
        <div class="root" {attr("lang", locale.tag())} {attr("dir", if locale.is_rtl() { "rtl" } else { "ltr" })}
            data-screen=move || screen_name(session, ready)>
            <p class="sr-only" {attr("aria-live", "polite")} {attr("role", "status")}>{announcement}</p>
            {move || (!session.healthy.get()).then(|| view! {
                <p class="banner" {attr("part", "banner")} {attr("role", "alert")}>{locale.messages().reconnecting()}</p>
            }.into_any())}
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

/// What follows the screen shown: the host page hears `ready` once the first usable view is
/// rendered (the session says it once), and when one view gives way to another, focus moves to
/// the new view's heading (its first `h3`), so a screen-reader user hears where they are and
/// Tab goes on from there. Never on the page's first view, and never while the payer types
/// somewhere: both would take focus they did not give. One effect for both, and the views'
/// root found from the session's element rather than through a node reference: each effect
/// and node reference is code of its own in the download.
///
/// The heading's `tabindex="-1"` is given here, never by the views: with Leptos's
/// `erase_components` (the shipped build), every re-render (each live update re-renders the
/// view in place) removes and re-adds the attributes a view gives an element, and a focused
/// heading whose `tabindex` is removed loses focus to the page's `<body>` at once.
fn follow_screen(session: Session, ready: RwSignal<bool>) {
    Effect::new(move |before: Option<Option<&'static str>>| {
        let before = before.flatten();
        let now = screen_name(session, ready);
        if !matches!(now, "loading" | "error") {
            session.announce_ready();
        }
        if now == "loading" {
            // A reload in between (a retry, a fresh start) is no view of its own.
            return before;
        }
        if moves_focus(before, now) {
            // After the new view is in the DOM.
            set_timeout(move || focus_heading(session), Duration::ZERO);
        }
        Some(now)
    });
}

fn focus_heading(session: Session) {
    let Some(root) = session.host().and_then(|host| host.shadow_root()) else {
        return;
    };
    if typing(&root) {
        return;
    }
    if let Some(heading) = root
        .query_selector("h3")
        .ok()
        .flatten()
        .and_then(|h| h.dyn_into::<HtmlElement>().ok())
    {
        if !heading.has_attribute("tabindex") {
            let _ = heading.set_attribute("tabindex", "-1");
        }
        let _ = heading.focus();
    }
}

/// Whether a text field has focus, in the widget or in the host page.
fn typing(root: &ShadowRoot) -> bool {
    let in_widget = root.active_element();
    let in_page = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    [in_widget, in_page]
        .into_iter()
        .flatten()
        .any(|e: Element| {
            matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                || e.dyn_ref::<HtmlElement>()
                    .is_some_and(HtmlElement::is_content_editable)
        })
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
