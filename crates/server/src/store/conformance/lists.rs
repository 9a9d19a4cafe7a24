//! Reading checkouts back in order (pages, widgets, expiry), and the stores keyed by an id that
//! is written once (inbound events, widget keys).

use protocol::CheckoutStatus;

use super::Harness;
use crate::domain::checkout::CheckoutRecord;
use crate::domain::state_machine::Policy;
use crate::domain::test_fixtures::{checkout, payment, NOW};
use crate::store::{InboundEvent, ListQuery, WidgetRecord};

fn store_all(t: &dyn Harness, records: &[CheckoutRecord]) {
    for r in records {
        assert!(t.store().insert_checkout(r).unwrap().1);
    }
}

fn ids(records: &[CheckoutRecord]) -> Vec<&str> {
    records.iter().map(|r| r.id.as_str()).collect()
}

pub fn lists_page_newest_first_from_the_cursor(t: &dyn Harness) {
    // Two created in the same millisecond: the id breaks the tie, byte by byte ("CCO-B" sorts
    // before "CCO-a"), whatever the database's locale.
    store_all(
        t,
        &[
            checkout("CCO-a", NOW),
            checkout("CCO-b", NOW + 10),
            checkout("CCO-B", NOW + 10),
            checkout("CCO-c", NOW + 10),
            checkout("CCO-d", NOW + 20),
        ],
    );
    let page = |before: Option<(i64, String)>| {
        t.store()
            .list_checkouts(&ListQuery {
                limit: 2,
                before,
                status: None,
            })
            .unwrap()
    };
    let first = page(None);
    assert_eq!(ids(&first), ["CCO-d", "CCO-c"]);
    let cursor = Some((first[1].created_at_ms, first[1].id.clone()));
    let second = page(cursor);
    assert_eq!(ids(&second), ["CCO-b", "CCO-B"]);
    let cursor = Some((second[1].created_at_ms, second[1].id.clone()));
    let third = page(cursor);
    assert_eq!(ids(&third), ["CCO-a"]);
    let cursor = Some((third[0].created_at_ms, third[0].id.clone()));
    assert!(page(cursor).is_empty());
}

pub fn lists_filter_by_status(t: &dyn Harness) {
    let mut waiting = checkout("CCO-w", NOW);
    waiting
        .add_payment(payment("PAY-1", "CCO-w"), &Policy::default(), NOW)
        .unwrap();
    store_all(t, &[checkout("CCO-n", NOW + 1), waiting]);
    let query = ListQuery {
        limit: 10,
        before: None,
        status: Some(CheckoutStatus::WaitingPayment),
    };
    assert_eq!(ids(&t.store().list_checkouts(&query).unwrap()), ["CCO-w"]);
}

pub fn a_widgets_checkouts_come_oldest_first(t: &dyn Harness) {
    let opened = |id: &str, at: i64, key: &str| {
        let mut r = checkout(id, at);
        r.widget_key = Some(key.into());
        r
    };
    store_all(
        t,
        &[
            opened("CCO-2", NOW + 2, "wgt_a"),
            opened("CCO-1", NOW + 1, "wgt_a"),
            opened("CCO-3", NOW, "wgt_b"),
        ],
    );
    let of = |key: &str| t.store().widget_checkouts(key).unwrap();
    assert_eq!(ids(&of("wgt_a")), ["CCO-1", "CCO-2"]);
    assert!(of("wgt_c").is_empty());
}

pub fn expiry_candidates_are_unpaid_open_checkouts_past_their_expiry_soonest_first(
    t: &dyn Harness,
) {
    let expiring = |id: &str, expires_at_ms: i64| {
        let mut r = checkout(id, NOW);
        r.state.expires_at_ms = expires_at_ms;
        r
    };
    let mut waiting = expiring("CCO-waiting", NOW - 1);
    waiting.state.status = CheckoutStatus::WaitingPayment;
    let mut funded = expiring("CCO-funded", NOW - 3);
    funded.state.funds_seen = true;
    let mut paid = expiring("CCO-paid", NOW - 3);
    paid.state.status = CheckoutStatus::Success;
    store_all(
        t,
        &[
            waiting,
            expiring("CCO-new", NOW - 2),
            expiring("CCO-now", NOW),
            expiring("CCO-later", NOW + 1),
            funded,
            paid,
        ],
    );
    let store = t.store();
    assert_eq!(
        store.expiry_candidates(NOW, 10).unwrap(),
        ["CCO-new", "CCO-waiting", "CCO-now"]
    );
    assert_eq!(store.expiry_candidates(NOW, 1).unwrap(), ["CCO-new"]);
}

pub fn an_event_id_is_recorded_once_per_provider(t: &dyn Harness) {
    let event = |provider: &str, event_id: &str| InboundEvent {
        provider: provider.into(),
        event_id: event_id.into(),
        payment_ref: None,
        body: r#"{"id":"e"}"#.into(),
        received_at_ms: 1,
    };
    let store = t.store();
    assert!(!store.inbound_event_seen("sandbox", "e1").unwrap());
    assert!(store.record_inbound_event(&event("sandbox", "e1")).unwrap());
    assert!(!store.record_inbound_event(&event("sandbox", "e1")).unwrap());
    assert!(store.inbound_event_seen("sandbox", "e1").unwrap());
    // Another provider's event of the same id is another event.
    assert!(!store.inbound_event_seen("calypso", "e1").unwrap());
    assert!(store.record_inbound_event(&event("calypso", "e1")).unwrap());
}

pub fn a_widget_key_is_stored_once_and_the_first_settings_stay(t: &dyn Harness) {
    let widget = |key: &str, name: &str| {
        let mut spec = checkout("CCO-x", NOW).spec;
        spec.name = name.into();
        WidgetRecord {
            key: key.into(),
            external_id: Some("shop-7".into()),
            spec,
            created_at_ms: NOW,
        }
    };
    let store = t.store();
    let first = widget("wgt_1", "Blue mug");
    assert_eq!(store.insert_widget(&first).unwrap(), (first.clone(), true));
    assert_eq!(
        store.insert_widget(&widget("wgt_1", "Red mug")).unwrap(),
        (first.clone(), false)
    );
    assert_eq!(store.widget("wgt_1").unwrap(), Some(first));
    assert_eq!(store.widget("wgt_2").unwrap(), None);
}
