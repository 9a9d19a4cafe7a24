//! The merchant-notification outbox: due rows, claims, attempts, redelivery, pages.

use super::writes::applied;
use super::Harness;
use crate::domain::state_machine::Policy;
use crate::domain::test_fixtures::{checkout, payment, NOW};
use crate::store::outbox::{AfterAttempt, Attempt, DeliveryQuery, DeliveryState, OutboxBacklog};

/// Checkout `id` picked at `NOW`: one delivery queued; returns its event id.
fn queued(t: &dyn Harness, id: &str) -> String {
    let store = t.store();
    store.insert_checkout(&checkout(id, NOW)).unwrap();
    applied(
        store
            .modify_checkout(id, None, &mut |r| {
                r.add_payment(payment(&format!("PAY-{id}"), id), &Policy::default(), NOW)
                    .map_err(|e| crate::domain::error::DomainError::invalid("currency", e))
            })
            .unwrap(),
    );
    let query = DeliveryQuery {
        limit: 1,
        checkout_id: Some(id.into()),
        ..Default::default()
    };
    store.outbox().deliveries(&query).unwrap()[0]
        .event_id
        .clone()
}

pub fn a_queued_event_is_due_claimed_once_and_its_attempts_recorded(t: &dyn Harness) {
    let event = queued(t, "CCO-1");
    let outbox = t.store().outbox();
    assert!(outbox.due(NOW - 1, 10).unwrap().is_empty());
    let due = outbox.due(NOW, 10).unwrap();
    assert_eq!(due.len(), 1);
    assert_eq!((due[0].state, due[0].attempts), (DeliveryState::Pending, 0));
    assert!(outbox.claim(&event, NOW, NOW + 100).unwrap());
    assert!(!outbox.claim(&event, NOW, NOW + 100).unwrap(), "leased");
    let failed = Attempt {
        at_ms: NOW,
        duration_ms: 3,
        http_status: Some(500),
        error: Some("the endpoint answered 500".into()),
    };
    outbox
        .record_attempt(&event, NOW + 100, &failed, AfterAttempt::RetryAt(NOW + 50))
        .unwrap();
    assert!(outbox.due(NOW + 49, 10).unwrap().is_empty());
    let (row, attempts) = outbox.delivery(&event).unwrap().unwrap();
    assert_eq!((row.attempts, row.next_attempt_at_ms), (1, Some(NOW + 50)));
    assert_eq!(attempts, [failed]);
    assert_eq!(outbox.delivery("evt_9").unwrap(), None);
}

pub fn due_rows_are_claimed_in_a_batch_once_until_their_lease_ends(t: &dyn Harness) {
    let first = queued(t, "CCO-1");
    let second = queued(t, "CCO-2");
    let outbox = t.store().outbox();
    assert!(outbox.claim_due(NOW - 1, 10, NOW + 100).unwrap().is_empty());
    let claimed = outbox.claim_due(NOW, 1, NOW + 100).unwrap();
    let ids: Vec<_> = claimed.iter().map(|d| d.event_id.as_str()).collect();
    assert_eq!(ids, [first.as_str()], "oldest due first, at most the limit");
    let rest = outbox.claim_due(NOW, 10, NOW + 100).unwrap();
    let ids: Vec<_> = rest.iter().map(|d| d.event_id.as_str()).collect();
    assert_eq!(ids, [second.as_str()], "a claimed row is not claimed again");
    assert!(outbox
        .claim_due(NOW + 99, 10, NOW + 200)
        .unwrap()
        .is_empty());
    // A claimer that died never records its attempts: the rows come back at the lease's end.
    let back = outbox.claim_due(NOW + 100, 10, NOW + 300).unwrap();
    assert_eq!(back.len(), 2);
    assert_eq!(back[0].attempts, 0);
}

pub fn a_delivered_event_is_due_again_only_when_redelivered(t: &dyn Harness) {
    let event = queued(t, "CCO-1");
    let outbox = t.store().outbox();
    let ok = Attempt {
        at_ms: NOW,
        duration_ms: 1,
        http_status: Some(200),
        error: None,
    };
    assert!(outbox.claim(&event, NOW, NOW + 100).unwrap());
    outbox
        .record_attempt(&event, NOW + 100, &ok, AfterAttempt::Delivered)
        .unwrap();
    assert!(outbox.due(NOW + 1_000, 10).unwrap().is_empty());
    let delivered = DeliveryQuery {
        limit: 10,
        state: Some(DeliveryState::Delivered),
        ..Default::default()
    };
    let rows = outbox.deliveries(&delivered).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].delivered_at_ms, Some(NOW));
    let again = outbox.redeliver(&event, NOW + 2).unwrap().unwrap();
    assert_eq!(again.state, DeliveryState::Pending);
    assert_eq!(outbox.due(NOW + 2, 10).unwrap().len(), 1);
    assert_eq!(outbox.redeliver("evt_9", NOW).unwrap(), None);
    assert!(outbox.claim(&event, NOW + 2, NOW + 200).unwrap());
    outbox
        .record_attempt(&event, NOW + 200, &ok, AfterAttempt::GiveUp)
        .unwrap();
    let (row, attempts) = outbox.delivery(&event).unwrap().unwrap();
    assert_eq!((row.state, row.attempts), (DeliveryState::Failed, 2));
    assert_eq!(
        row.delivered_at_ms,
        Some(NOW),
        "the first delivery stays known"
    );
    assert_eq!(attempts.len(), 2);
}

pub fn a_redelivery_asked_for_during_an_attempt_outlives_the_attempt(t: &dyn Harness) {
    let event = queued(t, "CCO-1");
    let outbox = t.store().outbox();
    assert!(outbox.claim(&event, NOW, NOW + 100).unwrap());
    // The merchant asks for the event again while the first attempt is on its way.
    outbox.redeliver(&event, NOW + 5).unwrap();
    let ok = Attempt {
        at_ms: NOW,
        duration_ms: 10,
        http_status: Some(200),
        error: None,
    };
    outbox
        .record_attempt(&event, NOW + 100, &ok, AfterAttempt::Delivered)
        .unwrap();
    let (row, attempts) = outbox.delivery(&event).unwrap().unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(
        (row.state, row.next_attempt_at_ms, row.attempts),
        (DeliveryState::Pending, Some(NOW + 5), 1),
        "still due for the redelivery"
    );
    assert_eq!(row.delivered_at_ms, Some(NOW));
    assert_eq!(outbox.due(NOW + 5, 10).unwrap().len(), 1);
}

pub fn deliveries_page_newest_first_and_filter(t: &dyn Harness) {
    let events: Vec<String> = ["CCO-1", "CCO-2", "CCO-3"]
        .iter()
        .map(|id| queued(t, id))
        .collect();
    let outbox = t.store().outbox();
    let page = |before_seq: Option<i64>| {
        outbox
            .deliveries(&DeliveryQuery {
                limit: 2,
                before_seq,
                ..Default::default()
            })
            .unwrap()
    };
    let first = page(None);
    let ids: Vec<_> = first.iter().map(|d| d.event_id.clone()).collect();
    assert_eq!(ids, [events[2].clone(), events[1].clone()]);
    let second = page(Some(first[1].seq));
    assert_eq!(second.len(), 1);
    assert_eq!(second[0].event_id, events[0]);
    let of_two = DeliveryQuery {
        limit: 10,
        checkout_id: Some("CCO-2".into()),
        state: Some(DeliveryState::Pending),
        ..Default::default()
    };
    let rows = outbox.deliveries(&of_two).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].event_id, events[1]);
}

pub fn the_backlog_counts_what_waits_and_since_when(t: &dyn Harness) {
    let outbox = t.store().outbox();
    assert_eq!(outbox.backlog().unwrap(), OutboxBacklog::default());
    let event = queued(t, "CCO-1");
    let backlog = outbox.backlog().unwrap();
    assert_eq!((backlog.pending, backlog.failed), (1, 0));
    assert!(backlog.oldest_pending_at_ms.is_some());
    assert!(outbox.claim(&event, NOW, NOW + 100).unwrap());
    let gave_up = Attempt {
        at_ms: NOW,
        duration_ms: 1,
        http_status: Some(500),
        error: None,
    };
    outbox
        .record_attempt(&event, NOW + 100, &gave_up, AfterAttempt::GiveUp)
        .unwrap();
    let backlog = outbox.backlog().unwrap();
    assert_eq!((backlog.pending, backlog.failed), (0, 1));
    assert_eq!(backlog.oldest_pending_at_ms, None);
}
