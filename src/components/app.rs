use leptos::prelude::*;
use protocol::CheckoutView;
use web_sys::HtmlElement;

use crate::api::{Api, ApiError};
use crate::events::dispatch_status_changed;
use crate::state::{Source, StatusTracker};

/// One widget: loads its checkout and shows it, reporting status changes to the host page.
#[component]
pub fn App(
    /// The client bound to this element's lifetime.
    api: Api,
    /// The `<app-widget>` element, which receives `statusChanged`.
    host: HtmlElement,
    /// What to load; `None` when the element has neither `id` nor `widget-key`.
    source: Option<Source>,
) -> impl IntoView {
    let (attempt, set_attempt) = signal(0u32);
    let checkout = {
        let api = api.clone();
        let source = source.clone();
        LocalResource::new(move || {
            attempt.track();
            let api = api.clone();
            let source = source.clone();
            async move {
                match source {
                    Some(Source::Checkout(id)) => api.checkout(&id).await,
                    Some(Source::WidgetKey(key)) => api.open_widget(&key).await,
                    None => Err(ApiError::Server {
                        status: 400,
                        code: "missing_id".into(),
                        message: "This widget has no checkout id or widget key.".into(),
                    }),
                }
            }
        })
    };

    let tracker = StoredValue::new_local(StatusTracker::default());
    Effect::new(move |_| {
        if let Some(Ok(view)) = checkout.get() {
            if let Some(detail) = tracker.try_update_value(|t| t.observe(&view)).flatten() {
                dispatch_status_changed(&host, &detail);
            }
        }
    });

    view! {
        <Suspense fallback=|| view! { <Skeleton /> }>
            {move || checkout.get().map(|result| match result {
                Ok(view) => view! { <Loaded checkout=view /> }.into_any(),
                Err(ApiError::Aborted) => ().into_any(),
                Err(error) => view! {
                    <Failure error=error retry=set_attempt />
                }.into_any(),
            })}
        </Suspense>
    }
}

/// Placeholder shapes while the checkout loads: the box never looks empty.
#[component]
fn Skeleton() -> impl IntoView {
    view! {
        <div class="skeleton" part="skeleton" aria-busy="true" aria-label="Loading">
            <div class="skeleton-line wide"></div>
            <div class="skeleton-line"></div>
        </div>
    }
}

#[component]
fn Loaded(
    /// The checkout as the server last described it.
    checkout: CheckoutView,
) -> impl IntoView {
    view! {
        <header class="header" part="header">
            <h2 class="name">{checkout.name.clone()}</h2>
        </header>
        <p class="status" data-status=checkout.status.as_str()>{checkout.status.as_str()}</p>
    }
}

#[component]
fn Failure(
    /// What went wrong.
    error: ApiError,
    /// Bumped to load again.
    retry: WriteSignal<u32>,
) -> impl IntoView {
    let retry_button = error.is_transient().then(|| {
        view! {
            <button type="button" class="button" on:click=move |_| retry.update(|n| *n += 1)>
                "Retry"
            </button>
        }
    });
    view! {
        <div class="error" part="error" role="alert">
            <p class="error-message">{error.to_string()}</p>
            {retry_button}
        </div>
    }
}
