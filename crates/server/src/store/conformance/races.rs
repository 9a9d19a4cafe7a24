//! Writers racing on one store: SQLite serialises them through its one writer, PostgreSQL
//! through row locks and `ON CONFLICT`; either way the outcome is that of one at a time.

use super::writes::applied;
use super::Harness;
use crate::domain::test_fixtures::{checkout, NOW};
use crate::store::{InboundEvent, Modify};

const RACERS: usize = 8;

/// Runs `racer(i)` on `RACERS` threads at once and returns their answers in order.
fn race<T: Send>(racer: impl Fn(usize) -> T + Sync) -> Vec<T> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..RACERS)
            .map(|i| {
                let racer = &racer;
                scope.spawn(move || racer(i))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

pub fn twins_racing_on_one_client_order_id_make_one_checkout(t: &dyn Harness) {
    let store = t.store();
    let answers = race(|i| {
        let mut twin = checkout(&format!("CCO-{i}"), NOW);
        twin.client_order_id = Some("order-1".into());
        store.insert_checkout(&twin).unwrap()
    });
    let created: Vec<_> = answers.iter().filter(|(_, new)| *new).collect();
    assert_eq!(created.len(), 1, "{answers:?}");
    assert!(answers.iter().all(|(r, _)| r.id == created[0].0.id));
    assert_eq!(t.count("checkouts"), 1);
}

pub fn twins_racing_on_one_inbound_event_apply_it_once(t: &dyn Harness) {
    let store = t.store();
    store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
    let event = InboundEvent {
        provider: "sandbox".into(),
        event_id: "evt-1".into(),
        payment_ref: None,
        body: "{}".into(),
        received_at_ms: NOW,
    };
    let answers = race(|_| {
        store
            .modify_checkout("CCO-1", Some(&event), &mut |r| {
                r.updated_at_ms += 1;
                Ok(())
            })
            .unwrap()
    });
    let applied_count = answers
        .iter()
        .filter(|a| matches!(a, Modify::Applied { .. }))
        .count();
    assert_eq!(applied_count, 1, "{answers:?}");
    let stored = store.checkout("CCO-1").unwrap().unwrap();
    assert_eq!(stored.updated_at_ms, NOW + 1);
}

pub fn changes_racing_on_one_checkout_are_each_applied_to_the_one_before(t: &dyn Harness) {
    let store = t.store();
    store.insert_checkout(&checkout("CCO-1", NOW)).unwrap();
    race(|_| {
        applied(
            store
                .modify_checkout("CCO-1", None, &mut |r| {
                    r.updated_at_ms += 1;
                    Ok(())
                })
                .unwrap(),
        )
    });
    let stored = store.checkout("CCO-1").unwrap().unwrap();
    assert_eq!(stored.updated_at_ms, NOW + RACERS as i64, "no change lost");
}
