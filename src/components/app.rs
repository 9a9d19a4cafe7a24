use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{CheckoutView, PickCurrencyRequest};
use web_sys::HtmlElement;

use super::choose::Choose;
use super::feedback::{Failure, Skeleton, SupportLink};
use super::header::Header;
use super::outcome::Outcome;
use super::pay::Pay;
use super::processing::Processing;
use crate::api::{Api, ApiError};
use crate::events::dispatch_status_changed;
use crate::i18n::Locale;
use crate::live::{Callbacks, Live};
use crate::state::{is_newer, screen, Screen, Source, StatusTracker};

/// One widget: loads its checkout, follows it live, and shows the screen its status calls for.
#[component]
pub fn App(
    /// The client bound to this element's lifetime.
    api: Api,
    /// The `<app-widget>` element, which receives `statusChanged`.
    host: HtmlElement,
    /// What to load; `None` when the element has neither `id` nor `widget-key`.
    source: Option<Source>,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let checkout = RwSignal::new(None::<CheckoutView>);
    let load_error = RwSignal::new(None::<ApiError>);
    let healthy = RwSignal::new(true);
    let choosing = RwSignal::new(false);
    let pick_error = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    // Browser objects are not thread-safe; they live in local storage, outside the views.
    let api = StoredValue::new_local(api);
    let host = StoredValue::new_local(host);
    let live = StoredValue::new_local(None::<Live>);
    let tracker = StoredValue::new_local(StatusTracker::default());

    // Every description of the checkout — first load, pick, stream, poll — comes through here,
    // so the newest always wins and the host page hears of each change exactly once.
    let apply = move |view: CheckoutView| {
        if !checkout.with_untracked(|current| is_newer(current.as_ref(), &view)) {
            return;
        }
        if let Some(Some(detail)) = tracker.try_update_value(|t| t.observe(&view)) {
            host.with_value(|host| dispatch_status_changed(host, &detail));
        }
        live.with_value(|l| {
            if let Some(l) = l {
                l.saw(&view);
            }
        });
        let _ = checkout.try_set(Some(view));
    };

    let start_live = move |view: &CheckoutView| {
        if live.with_value(Option::is_some) {
            return;
        }
        let connection = Live::start(
            api.get_value(),
            view,
            Callbacks {
                update: Box::new(apply),
                healthy: Box::new(move |ok| {
                    let _ = healthy.try_set(ok);
                }),
            },
        );
        live.set_value(Some(connection));
    };

    let load = move || {
        let source = source.clone();
        let _ = load_error.try_set(None);
        let api = api.get_value();
        spawn_local(async move {
            let result = match &source {
                Some(Source::Checkout(id)) => api.checkout(id).await,
                Some(Source::WidgetKey(key)) => api.open_widget(key).await,
                None => Err(ApiError::Server {
                    status: 400,
                    code: "missing_id".into(),
                    message: String::new(),
                }),
            };
            match result {
                Ok(view) => {
                    start_live(&view);
                    apply(view);
                }
                Err(ApiError::Aborted) => {}
                Err(error) => {
                    let _ = load_error.try_set(Some(error));
                }
            }
        });
    };
    let retry = StoredValue::new(load.clone());
    load();

    let pick = move |request: PickCurrencyRequest| {
        let Some(id) = checkout.with_untracked(|c| c.as_ref().map(|c| c.id.clone())) else {
            return;
        };
        let api = api.get_value();
        busy.set(true);
        pick_error.set(None);
        spawn_local(async move {
            match api.pick_currency(&id, &request).await {
                Ok(view) => {
                    let _ = choosing.try_set(false);
                    apply(view);
                }
                Err(ApiError::Aborted) => return,
                Err(error) => {
                    let _ = pick_error.try_set(Some(error));
                }
            }
            let _ = busy.try_set(false);
        });
    };

    on_cleanup(move || live.set_value(None));

    // The payer's words arrive beside the checkout (English is built in); the skeleton stays
    // until both are here, so no view ever switches language under the payer's eyes.
    let ready = RwSignal::new(locale.is_loaded());
    if !locale.is_loaded() {
        let api = api.get_value();
        spawn_local(async move {
            crate::locale_files::load(&api, &crate::element::asset_base(), locale).await;
            let _ = ready.try_set(true);
        });
    }

    let announcement = move || {
        let t = locale.messages();
        if !ready.get() {
            return t.loading();
        }
        checkout.with(|c| {
            c.as_ref()
                .map(|c| super::outcome::announcement(t, screen(c, false)))
                .unwrap_or(t.loading())
        })
    };

    view! {
        <div class="root" lang=locale.tag() dir=if locale.is_rtl() { "rtl" } else { "ltr" }
            data-screen=move || checkout.with(|c| match c {
                _ if !ready.get() => "loading",
                Some(c) => screen(c, choosing.get()).name(),
                None if load_error.with(Option::is_some) => "error",
                None => "loading",
            })>
            <p class="sr-only" aria-live="polite" role="status">{announcement}</p>
            {move || (!healthy.get()).then(|| view! {
                <p class="banner" part="banner" role="alert">{locale.messages().reconnecting()}</p>
            })}
            {move || match (ready.get().then(|| checkout.get()).flatten(), load_error.get()) {
                _ if !ready.get() => view! { <Skeleton locale=locale /> }.into_any(),
                (Some(view), _) => {
                    let support = view.support_url.clone();
                    let current = screen(&view, choosing.get());
                    view! {
                        <Header checkout=view.clone() locale=locale />
                        {match current {
                            Screen::Choose => view! {
                                <Choose checkout=view locale=locale on_pick=pick busy=busy error=pick_error />
                            }.into_any(),
                            Screen::Pay => view! {
                                <Pay checkout=view locale=locale on_back=move || choosing.set(true) />
                            }.into_any(),
                            Screen::Processing => view! {
                                <Processing checkout=view locale=locale />
                            }.into_any(),
                            other => view! {
                                <Outcome checkout=view screen=other locale=locale />
                            }.into_any(),
                        }}
                        <SupportLink url=support locale=locale />
                    }.into_any()
                }
                (None, Some(error)) => view! {
                    <Failure error=error locale=locale retry=move || retry.with_value(|load| load()) />
                }.into_any(),
                (None, None) => view! { <Skeleton locale=locale /> }.into_any(),
            }}
        </div>
    }
}

/// The message to show the payer for `error`: the server's own words for a refused request
/// (they name the field), ours for everything else.
pub fn error_text(error: &ApiError, locale: Locale) -> String {
    let t = locale.messages();
    match error {
        ApiError::Network | ApiError::Unexpected(_) => t.error_network().to_owned(),
        ApiError::Server { code, .. } if code == "missing_id" => t.error_missing().to_owned(),
        ApiError::Server {
            status, message, ..
        } if *status < 500 && !message.is_empty() => message.clone(),
        ApiError::Server { .. } => t.error_server().to_owned(),
        ApiError::Aborted => String::new(),
    }
}
