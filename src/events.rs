//! The events the host page hears, all dispatched on the `<app-widget>` element:
//!
//! - `statusChanged`: the merchant front end's view of the checkout, once per change;
//! - `ready`: the first view the payer can use is on screen (once per mount);
//! - `loadError`: the checkout could not be loaded, with the reason (once per failed attempt).

use protocol::StatusChangedDetail;
use wasm_bindgen::JsValue;
use web_sys::{CustomEvent, CustomEventInit, Element};

use crate::api::ApiError;

pub const STATUS_CHANGED: &str = "statusChanged";
pub const READY: &str = "ready";
pub const LOAD_ERROR: &str = "loadError";

/// Dispatches `statusChanged` on the host element.
pub fn dispatch_status_changed(host: &Element, detail: &StatusChangedDetail) {
    dispatch(
        host,
        STATUS_CHANGED,
        &crate::wire::status_changed_detail(detail),
    );
}

/// Dispatches `ready` with `{id, status}` of the checkout on screen.
pub fn dispatch_ready(host: &Element, id: &str, status: &str) {
    dispatch(host, READY, &crate::wire::ready_detail(id, status));
}

/// Dispatches `loadError` with `{reason, message, status, retryable}`: `reason` is the
/// server's error code (`not_found`, `checkout_expired`, …), `network` when no answer came, or
/// `missing_id` when the element names no checkout.
pub fn dispatch_load_error(host: &Element, error: &ApiError) {
    let (reason, message, status) = match error {
        ApiError::Network => ("network", String::new(), None),
        ApiError::Unexpected(what) => ("unexpected_response", what.clone(), None),
        ApiError::Server {
            status,
            code,
            message,
        } => (code.as_str(), message.clone(), Some(*status)),
        ApiError::Aborted => return,
    };
    let detail = crate::wire::load_error_detail(reason, &message, status, error.is_transient());
    dispatch(host, LOAD_ERROR, &detail);
}

/// `composed` lets an event cross the shadow boundary and `bubbles` lets a listener on
/// `document` hear every widget on the page.
fn dispatch(host: &Element, name: &str, detail: &JsValue) {
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(name, &init) {
        let _ = host.dispatch_event(&event);
    }
}
