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
    // One stored value for everything the views never read: each distinct stored type links
    // its own copy of the reactive code. Browser objects are not thread-safe, hence local.
    kept: StoredValue<Kept, LocalStorage>,
}

/// What the session remembers besides its signals.
struct Kept {
    source: Option<Source>,
    /// Where a payment link's checkout is remembered (`None` for a checkout id).
    resume_slot: Option<String>,
    /// `ready` has been dispatched: once per element, whatever re-renders it.
    announced: bool,
    api: Api,
    host: HtmlElement,
    live: Option<Live>,
    tracker: StatusTracker,
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
            kept: StoredValue::new_local(Kept {
                source,
                resume_slot,
                announced: false,
                api,
                host,
                live: None,
                tracker: StatusTracker::default(),
            }),
        }
    }

    /// Runs `f` on what the session keeps; `None` once the element is gone. Never call back
    /// into the session (or dispatch an event, whose listeners may) from inside `f`.
    fn kept<R>(self, f: impl FnOnce(&mut Kept) -> R) -> Option<R> {
        self.kept.try_update_value(f)
    }

    fn api(self) -> Option<Api> {
        self.kept(|k| k.api.clone())
    }

    /// Closes the live connection.
    pub fn stop(self) {
        self.kept(|k| k.live = None);
    }

    /// Loads the checkout (again, after a failure).
    pub fn load(self) {
        let Some((source, slot, api)) =
            self.kept(|k| (k.source.clone(), k.resume_slot.clone(), k.api.clone()))
        else {
            return;
        };
        let _ = self.load_error.try_set(None);
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
                    if let Some(host) = self.host() {
                        dispatch_load_error(&host, &error);
                    }
                    let _ = self.load_error.try_set(Some(error));
                }
            }
        });
    }

    /// Whether an ended checkout can give way to a fresh one: a payment link opens a new
    /// checkout for every payer; a checkout id names one checkout, which cannot reopen.
    pub fn can_restart(self) -> bool {
        self.kept(|k| matches!(k.source, Some(Source::WidgetKey(_))))
            .unwrap_or(false)
    }

    /// Starts a payment link again after its checkout expired: forgets that checkout (here and
    /// in the browser's memory), stops following it, and opens a fresh one.
    pub fn restart(self) {
        if !self.can_restart() {
            return;
        }
        self.kept(|k| {
            if let Some(slot) = &k.resume_slot {
                resume::forget(slot);
            }
            k.tracker = StatusTracker::default();
            k.live = None;
        });
        self.choosing.set(false);
        self.checkout.set(None);
        self.load();
    }

    /// The element this session belongs to (the views' shadow root is its).
    pub fn host(self) -> Option<HtmlElement> {
        self.kept(|k| k.host.clone())
    }

    /// Tells the host page that the first usable view is on screen (`ready`), once.
    pub fn announce_ready(self) {
        if self.kept(|k| std::mem::replace(&mut k.announced, true)) != Some(false) {
            return;
        }
        let Some(Some((id, status))) = self.checkout.try_with_untracked(|c| {
            c.as_ref()
                .map(|c| (c.id.clone(), c.status.as_str().to_owned()))
        }) else {
            return;
        };
        if let Some(host) = self.host() {
            dispatch_ready(&host, &id, &status);
        }
    }

    /// Creates (or reuses) the payment for the payer's choice.
    pub fn pick(self, request: PickCurrencyRequest) {
        let Some(id) = self
            .checkout
            .with_untracked(|c| c.as_ref().map(|c| c.id.clone()))
        else {
            return;
        };
        let Some(api) = self.api() else { return };
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
        let Some(api) = self.api() else { return };
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
        let resumable = resume::resumable(&view);
        let changed = self.kept(|k| {
            if !resumable {
                if let Some(slot) = &k.resume_slot {
                    resume::forget(slot);
                }
            }
            if let Some(live) = &k.live {
                live.saw(&view);
            }
            k.tracker
                .observe(&view)
                .map(|detail| (k.host.clone(), detail))
        });
        // Outside `kept`: the page's listeners may remove the element, which stops the session.
        if let Some(Some((host, detail))) = changed {
            dispatch_status_changed(&host, &detail);
        }
        let _ = self.checkout.try_set(Some(view));
    }

    /// Starts following the checkout live, once.
    fn follow(self, view: &CheckoutView) {
        let Some((false, api)) = self.kept(|k| (k.live.is_some(), k.api.clone())) else {
            return;
        };
        let healthy = self.healthy;
        let connection = Live::start(
            api,
            view,
            Callbacks {
                update: Box::new(move |view| self.apply(view)),
                healthy: Box::new(move |ok| {
                    let _ = healthy.try_set(ok);
                }),
            },
        );
        self.kept(|k| k.live = Some(connection));
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
