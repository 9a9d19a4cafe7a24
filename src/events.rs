//! The `statusChanged` event: the merchant front end's view of the checkout.

use protocol::StatusChangedDetail;
use web_sys::{CustomEvent, CustomEventInit, Element};

pub const STATUS_CHANGED: &str = "statusChanged";

/// Dispatches `statusChanged` on the host element. `composed` lets it cross the shadow boundary
/// and `bubbles` lets a listener on `document` hear every widget on the page.
pub fn dispatch_status_changed(host: &Element, detail: &StatusChangedDetail) {
    let detail = crate::wire::status_changed_detail(detail);
    let init = CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(&detail);
    if let Ok(event) = CustomEvent::new_with_event_init_dict(STATUS_CHANGED, &init) {
        let _ = host.dispatch_event(&event);
    }
}
