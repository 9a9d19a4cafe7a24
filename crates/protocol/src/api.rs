//! Paths of the public widget API, so the widget and the server name them once.
//!
//! The merchant API and webhooks are the server's own business and are documented in its
//! OpenAPI document; only what the widget calls is here.

/// Prefix of every public (no secret) endpoint.
pub const PUBLIC_PREFIX: &str = "/api/v1/public";

/// `GET`: the checkout's public view.
pub fn checkout(id: &str) -> String {
    format!("{PUBLIC_PREFIX}/checkouts/{}", encode_segment(id))
}

/// `POST` with [`crate::PickCurrencyRequest`]: create or reuse the payment for a coin.
pub fn payment(id: &str) -> String {
    format!("{}/payment", checkout(id))
}

/// `GET`: [`crate::StatusView`], with `ETag` / `If-None-Match`.
pub fn status(id: &str) -> String {
    format!("{}/status", checkout(id))
}

/// `GET`: server-sent events, one `status` event (a [`crate::CheckoutView`]) per change.
pub fn events(id: &str) -> String {
    format!("{}/events", checkout(id))
}

/// `POST`: open a reusable widget key; every call makes a fresh checkout.
pub fn widget_checkout(key: &str) -> String {
    format!("{PUBLIC_PREFIX}/widgets/{}/checkouts", encode_segment(key))
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
    }
}
