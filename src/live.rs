//! Following a checkout live: server-sent events first, polling when they are unavailable, an
//! immediate resync when the tab comes back or the network returns, and nothing at all after a
//! final status or once the element is gone.
//!
//! Backgrounded phone tabs lose their streams without telling anyone, so the resync on
//! `visibilitychange` / `online` is not an optimisation: it is how a payer who switched to their
//! wallet app comes back to the truth.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use protocol::{CheckoutStatus, CheckoutView};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{EventSource, MessageEvent};

use crate::api::{decode_json_text, Api, ApiError};
use crate::state::{backoff_ms, poll_interval_ms};

/// What the live connection reports to the view.
pub struct Callbacks {
    /// A (possibly unchanged) description of the checkout from the server.
    pub update: Box<dyn Fn(CheckoutView)>,
    /// `false` while the server cannot be reached, `true` once it answers again.
    pub healthy: Box<dyn Fn(bool)>,
}

/// A browser callback taking an event.
type Listener = Closure<dyn Fn(JsValue)>;

/// Keeps the checkout live while held; dropping it stops everything.
pub struct Live {
    inner: Rc<Inner>,
}

struct Inner {
    api: Api,
    id: String,
    callbacks: Callbacks,
    status: Cell<CheckoutStatus>,
    version: Cell<u64>,
    failures: Cell<u32>,
    stopped: Cell<bool>,
    stream: RefCell<Option<EventSource>>,
    timer: Cell<Option<i32>>,
    /// Closures the browser calls; kept here so they live exactly as long as the connection.
    closures: RefCell<Vec<Listener>>,
    /// The timer's callback: a [`Listener`] like the others (the timer passes nothing), so the
    /// download carries one kind of browser callback, not two.
    tick: RefCell<Option<Listener>>,
    listeners: RefCell<Vec<(web_sys::EventTarget, &'static str, js_sys::Function)>>,
}

impl Live {
    pub fn start(api: Api, current: &CheckoutView, callbacks: Callbacks) -> Live {
        let inner = Rc::new(Inner {
            api,
            id: current.id.clone(),
            callbacks,
            status: Cell::new(current.status),
            version: Cell::new(current.version),
            failures: Cell::new(0),
            stopped: Cell::new(false),
            stream: RefCell::new(None),
            timer: Cell::new(None),
            closures: RefCell::new(Vec::new()),
            tick: RefCell::new(None),
            listeners: RefCell::new(Vec::new()),
        });
        let weak = Rc::downgrade(&inner);
        *inner.tick.borrow_mut() = Some(Listener::new(move |_| {
            if let Some(inner) = weak.upgrade() {
                inner.timer.set(None);
                Inner::poll(&inner);
            }
        }));
        if current.status.is_final() {
            inner.stopped.set(true);
        } else {
            Inner::listen_for_resync(&inner);
            Inner::open_stream(&inner);
            inner.schedule(poll_interval_ms(current.status));
        }
        Live { inner }
    }

    /// Tells the connection about a newer state learnt elsewhere (e.g. the payer's own pick).
    pub fn saw(&self, checkout: &CheckoutView) {
        self.inner.saw(checkout);
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.inner.stop();
    }
}

impl Inner {
    fn saw(&self, checkout: &CheckoutView) {
        if checkout.version >= self.version.get() {
            self.version.set(checkout.version);
            self.status.set(checkout.status);
        }
        if checkout.status.is_final() {
            self.stop();
        }
    }

    fn deliver(&self, checkout: CheckoutView) {
        if self.stopped.get() {
            return;
        }
        self.failures.set(0);
        (self.callbacks.healthy)(true);
        self.saw(&checkout);
        (self.callbacks.update)(checkout);
    }

    fn failed(&self) {
        if self.stopped.get() {
            return;
        }
        self.failures.set(self.failures.get() + 1);
        (self.callbacks.healthy)(false);
    }

    /// Opens the event stream, unless the browser (or the page) offers no `EventSource`.
    fn open_stream(this: &Rc<Inner>) {
        if this.stopped.get() || this.stream_is_open() {
            return;
        }
        let window = web_sys::window().expect("window");
        let available = js_sys::Reflect::get(&window, &"EventSource".into())
            .map(|v| v.is_function())
            .unwrap_or(false);
        if !available {
            return;
        }
        if let Some(old) = this.stream.borrow_mut().take() {
            old.close();
        }
        let Ok(source) = EventSource::new(&this.api.events_url(&this.id)) else {
            return;
        };
        let weak = Rc::downgrade(this);
        let on_status = Listener::new(move |event: JsValue| {
            let Some(inner) = weak.upgrade() else { return };
            let data = event.unchecked_into::<MessageEvent>().data();
            match data
                .as_string()
                .map(|text| decode_json_text(&text, crate::wire::checkout))
            {
                Some(Ok(checkout)) => inner.deliver(checkout),
                _ => inner.failed(),
            }
        });
        let weak = Rc::downgrade(this);
        let on_error = Listener::new(move |_| {
            if let Some(inner) = weak.upgrade() {
                // The browser retries the stream by itself; polling covers the gap meanwhile.
                inner.failed();
                if inner.timer.get().is_none() {
                    inner.schedule(Some(backoff_ms(inner.failures.get())));
                }
            }
        });
        let _ =
            source.add_event_listener_with_callback("status", on_status.as_ref().unchecked_ref());
        let _ = source.add_event_listener_with_callback("error", on_error.as_ref().unchecked_ref());
        this.closures.borrow_mut().extend([on_status, on_error]);
        *this.stream.borrow_mut() = Some(source);
    }

    fn stream_is_open(&self) -> bool {
        self.stream
            .borrow()
            .as_ref()
            .is_some_and(|s| s.ready_state() == EventSource::OPEN)
    }

    /// One poll: cheap status first (answered from the browser cache through the ETag when
    /// nothing changed), the full checkout only when its version moved.
    fn poll(this: &Rc<Inner>) {
        if this.stopped.get() {
            return;
        }
        if this.stream_is_open() {
            // The stream is delivering; look again later in case it silently dies.
            this.schedule(poll_interval_ms(this.status.get()).map(|ms| ms * 5));
            return;
        }
        let weak = Rc::downgrade(this);
        let api = this.api.clone();
        let id = this.id.clone();
        let known = (this.version.get(), this.status.get());
        wasm_bindgen_futures::spawn_local(async move {
            let outcome = fetch_if_changed(&api, &id, known).await;
            let Some(inner) = weak.upgrade() else { return };
            match outcome {
                Ok(Some(checkout)) => inner.deliver(checkout),
                Ok(None) => {
                    inner.failures.set(0);
                    (inner.callbacks.healthy)(true);
                }
                Err(_) => inner.failed(),
            }
            let failures = inner.failures.get();
            if failures > 0 {
                inner.schedule(Some(backoff_ms(failures)));
            } else {
                inner.schedule(poll_interval_ms(inner.status.get()));
                // A stream that gave up (the server was down for a while) is reopened once the
                // server answers again.
                Inner::open_stream(&inner);
            }
        });
    }

    fn schedule(&self, delay_ms: Option<u32>) {
        if self.stopped.get() {
            return;
        }
        self.clear_timer();
        let Some(delay) = delay_ms else { return };
        let window = web_sys::window().expect("window");
        if let Some(tick) = self.tick.borrow().as_ref() {
            let id = window
                .set_timeout_with_callback_and_timeout_and_arguments_0(
                    tick.as_ref().unchecked_ref(),
                    delay.min(i32::MAX as u32) as i32,
                )
                .ok();
            self.timer.set(id);
        }
    }

    fn clear_timer(&self) {
        if let Some(id) = self.timer.take() {
            if let Some(window) = web_sys::window() {
                window.clear_timeout_with_handle(id);
            }
        }
    }

    /// Resync at once when the tab becomes visible or the network comes back.
    fn listen_for_resync(this: &Rc<Inner>) {
        let window = web_sys::window().expect("window");
        let document = window.document().expect("document");
        let weak = Rc::downgrade(this);
        let resync = Listener::new(move |_| {
            let Some(inner) = weak.upgrade() else { return };
            let visible = web_sys::window()
                .and_then(|w| w.document())
                .map(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
                .unwrap_or(true);
            if visible && !inner.stopped.get() {
                inner.clear_timer();
                // Force a full read: the stream may look open yet be dead after a suspension.
                inner.version.set(0);
                if let Some(stream) = inner.stream.borrow_mut().take() {
                    stream.close();
                }
                Inner::poll(&inner);
            }
        });
        let function: js_sys::Function =
            resync.as_ref().unchecked_ref::<js_sys::Function>().clone();
        let _ = document.add_event_listener_with_callback("visibilitychange", &function);
        let _ = window.add_event_listener_with_callback("online", &function);
        this.listeners.borrow_mut().extend([
            (
                document.unchecked_into(),
                "visibilitychange",
                function.clone(),
            ),
            (window.unchecked_into(), "online", function),
        ]);
        this.closures.borrow_mut().push(resync);
    }

    fn stop(&self) {
        if self.stopped.replace(true) {
            return;
        }
        self.clear_timer();
        if let Some(stream) = self.stream.borrow_mut().take() {
            stream.close();
        }
        for (target, event, function) in self.listeners.borrow_mut().drain(..) {
            let _ = target.remove_event_listener_with_callback(event, &function);
        }
    }
}

/// The checkout, if its status or version differs from `known`; `None` when nothing changed.
async fn fetch_if_changed(
    api: &Api,
    id: &str,
    (version, status): (u64, CheckoutStatus),
) -> Result<Option<CheckoutView>, ApiError> {
    let current = api.status(id).await?;
    if current.version == version && current.status == status {
        return Ok(None);
    }
    api.checkout(id).await.map(Some)
}
