//! Marks on the page's performance timeline where the widget's start-up changes hands, so the
//! benchmark (and anyone with DevTools open) can split the time to interactive: `widget.js`
//! marks `checkout-widget:instantiated`, then these follow.

/// The element's first view (the skeleton) is mounted and its checkout asked for.
pub const MOUNTED_MARK: &str = "checkout-widget:mounted";
/// The checkout's answer is read, before it is applied to the views.
pub const CHECKOUT_READ_MARK: &str = "checkout-widget:checkout-read";
/// The currency list is on screen and can be used: what the benchmark measures.
pub const INTERACTIVE_MARK: &str = "checkout-widget:interactive";

/// Sets `name` on the timeline (nothing outside a browser window).
pub fn mark(name: &str) {
    if let Some(performance) = web_sys::window().and_then(|w| w.performance()) {
        let _ = performance.mark(name);
    }
}
