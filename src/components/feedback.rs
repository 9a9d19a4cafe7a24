//! The states around the journey: loading, failure, and the way to the merchant's support.

use leptos::prelude::*;

use super::{attr, handler};

use crate::api::ApiError;
use crate::i18n::{error_text, Locale};
use crate::state::is_support_url;

/// Placeholder shapes while the checkout loads: the box never looks empty.
#[component]
pub fn Skeleton(
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    view! {
        <div class="skeleton" {attr("part", "skeleton")} {attr("aria-busy", "true")}>
            <span class="sr-only">{locale.messages().loading()}</span>
            <div class="skeleton-line wide"></div>
            <div class="skeleton-line"></div>
            <div class="skeleton-block"></div>
        </div>
    }
}

/// What went wrong (the view's heading, where focus lands), and a retry when retrying can help.
#[component]
pub fn Failure(
    /// What went wrong.
    error: ApiError,
    /// The payer's language.
    locale: Locale,
    /// Loads again.
    retry: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let retry_button = error.is_transient().then(|| {
        view! {
            <button {attr("type", "button")} class="button" on:click=handler(move |_| retry())>
                {locale.messages().retry()}
            </button>
        }
        .into_any()
    });
    view! {
        <div class="error" {attr("part", "error")} {attr("role", "alert")}>
            <h3 class="error-message">{error_text(&error, locale)}</h3>
            {retry_button}
        </div>
    }
}

/// The merchant's support link, reachable from every view that has one.
#[component]
pub fn SupportLink(
    /// The merchant's support page, if any.
    url: Option<String>,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    url.filter(|u| is_support_url(u)).map(|url| {
        view! {
            <p class="support" {attr("part", "support")}>
                <a {attr("href", url)} {attr("target", "_blank")} {attr("rel", "noopener noreferrer")}>{locale.messages().support()}</a>
            </p>
        }.into_any()
    })
}
