//! What the widget shows, decided without a browser: plain Rust, tested natively.

use protocol::{CheckoutStatus, CheckoutView, Exception, StatusChangedDetail};

/// Where a checkout comes from: a checkout id, or a reusable widget key that opens a fresh
/// checkout for every payer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Checkout(String),
    WidgetKey(String),
}

impl Source {
    /// Reads the element's attributes; `widget-key` wins over `id` only when `id` is absent, so
    /// that a merchant's stray `id` used for styling never turns a payment link into something
    /// else. Blank values count as absent.
    pub fn from_attributes(id: Option<&str>, widget_key: Option<&str>) -> Option<Source> {
        let clean = |v: Option<&str>| v.map(str::trim).filter(|v| !v.is_empty()).map(String::from);
        match (clean(id), clean(widget_key)) {
            (_, Some(key)) => Some(Source::WidgetKey(key)),
            (Some(id), None) => Some(Source::Checkout(id)),
            (None, None) => None,
        }
    }
}

/// Remembers what the host page was last told, so `statusChanged` fires once per actual change
/// of status or exception and never for a refresh that changed nothing.
#[derive(Debug, Default)]
pub struct StatusTracker {
    last: Option<(CheckoutStatus, Option<Exception>)>,
}

impl StatusTracker {
    /// The event detail to dispatch for `checkout`, if its status or exception differs from the
    /// last one reported.
    pub fn observe(&mut self, checkout: &CheckoutView) -> Option<StatusChangedDetail> {
        let now = (checkout.status, checkout.exception);
        if self.last == Some(now) {
            return None;
        }
        let previous = self.last.map(|(status, _)| status);
        self.last = Some(now);
        Some(StatusChangedDetail::from_view(checkout, previous))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use protocol::CheckoutType;

    fn checkout(status: CheckoutStatus, exception: Option<Exception>) -> CheckoutView {
        CheckoutView {
            id: "CCO-1".into(),
            checkout_type: CheckoutType::FixedPrice,
            status,
            exception,
            name: "Order".into(),
            description: None,
            logo_url: None,
            return_url: None,
            support_url: None,
            expires_at: "2030-01-01T00:00:00Z".into(),
            price: None,
            amount_currency: None,
            suggested_amounts: vec![],
            min_amount: None,
            max_amount: None,
            currencies: vec![],
            payment: None,
            version: 1,
        }
    }

    #[test]
    fn source_prefers_widget_key_and_ignores_blanks() {
        assert_eq!(
            Source::from_attributes(Some("CCO-1"), None),
            Some(Source::Checkout("CCO-1".into()))
        );
        assert_eq!(
            Source::from_attributes(Some(" "), Some("k")),
            Some(Source::WidgetKey("k".into()))
        );
        assert_eq!(Source::from_attributes(Some(""), Some("  ")), None);
    }

    #[test]
    fn tracker_reports_each_change_once_with_the_previous_status() {
        let mut tracker = StatusTracker::default();
        let first = tracker
            .observe(&checkout(CheckoutStatus::New, None))
            .unwrap();
        assert_eq!(first.previous_status, None);
        assert!(tracker
            .observe(&checkout(CheckoutStatus::New, None))
            .is_none());
        let next = tracker
            .observe(&checkout(CheckoutStatus::WaitingPayment, None))
            .unwrap();
        assert_eq!(next.previous_status, Some(CheckoutStatus::New));
        assert_eq!(next.status, CheckoutStatus::WaitingPayment);
        // A new exception with the same status is a change the merchant must hear about.
        let late = tracker
            .observe(&checkout(
                CheckoutStatus::WaitingPayment,
                Some(Exception::Underpaid),
            ))
            .unwrap();
        assert_eq!(late.previous_status, Some(CheckoutStatus::WaitingPayment));
    }
}
