//! One widget's conversation with the server: loading the checkout, following it live, and the
//! payer's pick in flight. The views read its signals; only its methods change them.

use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::{CheckoutView, PickCurrencyRequest, TestAction};
use web_sys::HtmlElement;

use crate::api::{Api, ApiError};
use crate::events::{dispatch_load_error, dispatch_ready, dispatch_status_changed};
use crate::live::{Callbacks, Live};
use crate::resume;
use crate::state::{is_newer, Source, StatusTracker};

/// Cheap to copy into every handler: signals and stored values are handles.
#[derive(Clone, Copy)]
pub struct Session {
    /// The newest description of the checkout, once loaded.
    pub checkout: RwSignal<Option<CheckoutView>>,
    /// Why the checkout could not be loaded, if it could not.
    pub load_error: RwSignal<Option<ApiError>>,
    /// `false` while the live connection cannot reach the server.
    pub healthy: RwSignal<bool>,
    /// The payer went back to the currency list from a payment.
    pub choosing: RwSignal<bool>,
    /// The server's refusal of the last pick, if any.
    pub pick_error: RwSignal<Option<ApiError>>,
    /// True while a pick is on its way to the server.
    pub busy: RwSignal<bool>,
    source: StoredValue<Option<Source>>,
    /// Where a payment link's checkout is remembered (`None` for a checkout id).
    resume_slot: StoredValue<Option<String>>,
    /// `ready` has been dispatched: once per element, whatever re-renders it.
    announced: StoredValue<bool>,
    // Browser objects are not thread-safe; they live in local storage, outside the views.
    api: StoredValue<Api, LocalStorage>,
    host: StoredValue<HtmlElement, LocalStorage>,
    live: StoredValue<Option<Live>, LocalStorage>,
    tracker: StoredValue<StatusTracker, LocalStorage>,
}

impl Session {
    /// A session for `source` through `api`; `host` hears of every status change. Nothing is
    /// asked until [`Session::load`].
    pub fn new(api: Api, host: HtmlElement, source: Option<Source>) -> Session {
        let resume_slot = match &source {
            Some(Source::WidgetKey(key)) => Some(resume::slot(api.base(), key)),
            _ => None,
        };
        Session {
            checkout: RwSignal::new(None),
            load_error: RwSignal::new(None),
            healthy: RwSignal::new(true),
            choosing: RwSignal::new(false),
            pick_error: RwSignal::new(None),
            busy: RwSignal::new(false),
            source: StoredValue::new(source),
            resume_slot: StoredValue::new(resume_slot),
            announced: StoredValue::new(false),
            api: StoredValue::new_local(api),
            host: StoredValue::new_local(host),
            live: StoredValue::new_local(None),
            tracker: StoredValue::new_local(StatusTracker::default()),
        }
    }

    /// Closes the live connection.
    pub fn stop(self) {
        self.live.set_value(None);
    }

    /// Loads the checkout (again, after a failure).
    pub fn load(self) {
        let source = self.source.get_value();
        let slot = self.resume_slot.get_value();
        let _ = self.load_error.try_set(None);
        let api = self.api.get_value();
        spawn_local(async move {
            let result = match (&source, slot) {
                (Some(Source::Checkout(id)), _) => api.checkout(id).await,
                (Some(Source::WidgetKey(key)), Some(slot)) => {
                    resume_or_open(&api, key, &slot).await
                }
                (Some(Source::WidgetKey(key)), None) => api.open_widget(key).await,
                (None, _) => Err(ApiError::Server {
                    status: 400,
                    code: "missing_id".into(),
                    message: String::new(),
                }),
            };
            match result {
                Ok(view) => {
                    crate::timing::mark(crate::timing::CHECKOUT_READ_MARK);
                    self.follow(&view);
                    self.apply(view);
                }
                Err(ApiError::Aborted) => {}
                Err(error) => {
                    let _ = self
                        .host
                        .try_with_value(|host| dispatch_load_error(host, &error));
                    let _ = self.load_error.try_set(Some(error));
                }
            }
        });
    }

    /// Whether an ended checkout can give way to a fresh one: a payment link opens a new
    /// checkout for every payer; a checkout id names one checkout, which cannot reopen.
    pub fn can_restart(self) -> bool {
        self.source
            .with_value(|s| matches!(s, Some(Source::WidgetKey(_))))
    }

    /// Starts a payment link again after its checkout expired: forgets that checkout (here and
    /// in the browser's memory), stops following it, and opens a fresh one.
    pub fn restart(self) {
        if !self.can_restart() {
            return;
        }
        if let Some(Some(slot)) = self.resume_slot.try_get_value() {
            resume::forget(&slot);
        }
        self.live.set_value(None);
        self.tracker.set_value(StatusTracker::default());
        self.choosing.set(false);
        self.checkout.set(None);
        self.load();
    }

    /// Tells the host page that the first usable view is on screen (`ready`), once.
    pub fn announce_ready(self) {
        if self.announced.try_get_value() != Some(false) {
            return;
        }
        self.announced.set_value(true);
        let Some(Some((id, status))) = self.checkout.try_with_untracked(|c| {
            c.as_ref()
                .map(|c| (c.id.clone(), c.status.as_str().to_owned()))
        }) else {
            return;
        };
        let _ = self
            .host
            .try_with_value(|host| dispatch_ready(host, &id, &status));
    }

    /// Creates (or reuses) the payment for the payer's choice.
    pub fn pick(self, request: PickCurrencyRequest) {
        let Some(id) = self
            .checkout
            .with_untracked(|c| c.as_ref().map(|c| c.id.clone()))
        else {
            return;
        };
        let api = self.api.get_value();
        self.busy.set(true);
        self.pick_error.set(None);
        spawn_local(async move {
            match api.pick_currency(&id, &request).await {
                Ok(view) => {
                    let _ = self.choosing.try_set(false);
                    self.apply(view);
                }
                Err(ApiError::Aborted) => return,
                Err(error) => {
                    let _ = self.pick_error.try_set(Some(error));
                }
            }
            let _ = self.busy.try_set(false);
        });
    }

    /// Runs a demo's test control; the answer is applied like any other view.
    pub fn test_action(self, action: TestAction) {
        let Some(Some(id)) = self
            .checkout
            .try_with_untracked(|c| c.as_ref().map(|c| c.id.clone()))
        else {
            return;
        };
        let api = self.api.get_value();
        spawn_local(async move {
            if let Ok(view) = api.test_action(&id, action).await {
                self.apply(view);
            }
        });
    }

    /// Every description of the checkout — first load, pick, stream, poll — comes through here,
    /// so the newest always wins and the host page hears of each change exactly once.
    fn apply(self, view: CheckoutView) {
        if !self
            .checkout
            .with_untracked(|current| is_newer(current.as_ref(), &view))
        {
            return;
        }
        if !resume::resumable(&view) {
            if let Some(Some(slot)) = self.resume_slot.try_get_value() {
                resume::forget(&slot);
            }
        }
        if let Some(Some(detail)) = self.tracker.try_update_value(|t| t.observe(&view)) {
            self.host
                .with_value(|host| dispatch_status_changed(host, &detail));
        }
        self.live.with_value(|l| {
            if let Some(l) = l {
                l.saw(&view);
            }
        });
        let _ = self.checkout.try_set(Some(view));
    }

    /// Starts following the checkout live, once.
    fn follow(self, view: &CheckoutView) {
        if self.live.with_value(Option::is_some) {
            return;
        }
        let healthy = self.healthy;
        let connection = Live::start(
            self.api.get_value(),
            view,
            Callbacks {
                update: Box::new(move |view| self.apply(view)),
                healthy: Box::new(move |ok| {
                    let _ = healthy.try_set(ok);
                }),
            },
        );
        self.live.set_value(Some(connection));
    }
}

/// A payment link's checkout: the one this browser opened before if it can still be paid or
/// followed, else a fresh one (remembered for the next visit). A remembered checkout that cannot
/// be read for want of a connection is an error, not a reason to open another: the payer may
/// already have paid it.
async fn resume_or_open(api: &Api, key: &str, slot: &str) -> Result<CheckoutView, ApiError> {
    if let Some(id) = resume::remembered(slot) {
        match api.checkout(&id).await {
            Ok(view) if resume::resumable(&view) => return Ok(view),
            Ok(_) | Err(ApiError::Server { status: 404, .. }) => resume::forget(slot),
            Err(error) => return Err(error),
        }
    }
    let view = api.open_widget(key).await?;
    resume::remember(slot, &view.id);
    Ok(view)
}
