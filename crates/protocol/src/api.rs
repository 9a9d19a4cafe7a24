//! The server's paths, named once for the widget, the server's router and every client.

/// Every path the server routes, as the templates its router is built from (`{name}` is one
/// path segment). The builders below fill them in, so the widget, the clients and the router
/// cannot spell a path two ways.
pub mod paths {
    pub const HEALTH: &str = "/healthz";
    pub const OPENAPI: &str = "/api/openapi.json";
    pub const PUBLIC_CHECKOUT: &str = "/api/v1/public/checkouts/{id}";
    pub const PUBLIC_PAYMENT: &str = "/api/v1/public/checkouts/{id}/payment";
    pub const PUBLIC_STATUS: &str = "/api/v1/public/checkouts/{id}/status";
    pub const PUBLIC_EVENTS: &str = "/api/v1/public/checkouts/{id}/events";
    pub const PUBLIC_WIDGET_CHECKOUTS: &str = "/api/v1/public/widgets/{key}/checkouts";
    pub const PUBLIC_TEST_ACTIONS: &str = "/api/v1/public/checkouts/{id}/test-actions";
    pub const CHECKOUTS: &str = "/api/v1/checkouts";
    pub const CHECKOUT: &str = "/api/v1/checkouts/{id}";
    pub const CHECKOUT_CANCEL: &str = "/api/v1/checkouts/{id}/cancel";
    pub const CHECKOUT_RESOLVE: &str = "/api/v1/checkouts/{id}/resolve";
    pub const CHECKOUT_EVENTS: &str = "/api/v1/checkouts/{id}/events";
    pub const WIDGETS: &str = "/api/v1/widgets";
    pub const WIDGET: &str = "/api/v1/widgets/{key}";
    pub const SANDBOX_PAY: &str = "/api/v1/sandbox/payments/{paymentId}/pay";
    pub const DELIVERIES: &str = "/api/v1/deliveries";
    pub const DELIVERY: &str = "/api/v1/deliveries/{eventId}";
    pub const DELIVERY_REDELIVER: &str = "/api/v1/deliveries/{eventId}/redeliver";
    pub const RECONCILIATION: &str = "/api/v1/reconciliation";
    pub const WEBHOOK_SANDBOX: &str = "/webhooks/sandbox";
    pub const WEBHOOK_CALYPSO: &str = "/webhooks/calypso";
    pub const WEBHOOK_INQUD: &str = "/webhooks/inqud";
    pub const WEBHOOK_COINSPH: &str = "/webhooks/coinsph";
}

/// `template` with its one `{…}` segment replaced by `value`, percent-encoded.
pub fn fill(template: &str, value: &str) -> String {
    match (template.find('{'), template.find('}')) {
        (Some(open), Some(close)) if open < close => format!(
            "{}{}{}",
            &template[..open],
            encode_segment(value),
            &template[close + 1..]
        ),
        _ => template.to_owned(),
    }
}

/// `GET`: the checkout's public view.
pub fn checkout(id: &str) -> String {
    fill(paths::PUBLIC_CHECKOUT, id)
}

/// `POST` with [`crate::PickCurrencyRequest`]: create or reuse the payment for a coin.
pub fn payment(id: &str) -> String {
    fill(paths::PUBLIC_PAYMENT, id)
}

/// `GET`: [`crate::StatusView`], with `ETag` / `If-None-Match`.
pub fn status(id: &str) -> String {
    fill(paths::PUBLIC_STATUS, id)
}

/// `GET`: server-sent events, one `status` event (a [`crate::CheckoutView`]) per change.
pub fn events(id: &str) -> String {
    fill(paths::PUBLIC_EVENTS, id)
}

/// `POST` with [`crate::TestActionRequest`] (demo servers, test checkouts only).
pub fn test_actions(id: &str) -> String {
    fill(paths::PUBLIC_TEST_ACTIONS, id)
}

/// `POST`: open a reusable widget key; every call makes a fresh checkout.
pub fn widget_checkout(key: &str) -> String {
    fill(paths::PUBLIC_WIDGET_CHECKOUTS, key)
}

/// Percent-encodes everything but unreserved characters, so an id taken from an HTML attribute
/// can never change the path it is put in.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_cannot_escape_their_segment() {
        assert_eq!(checkout("CCO-1f2e"), "/api/v1/public/checkouts/CCO-1f2e");
        assert_eq!(
            status("../merchant/x?y"),
            "/api/v1/public/checkouts/..%2Fmerchant%2Fx%3Fy/status"
        );
        assert_eq!(
            fill(paths::DELIVERY_REDELIVER, "evt 1"),
            "/api/v1/deliveries/evt%201/redeliver"
        );
        assert_eq!(fill(paths::HEALTH, "x"), "/healthz");
    }
}
