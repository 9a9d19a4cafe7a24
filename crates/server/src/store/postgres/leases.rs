//! [`LeaseStore`] over the `turn_leases` table (migration 0010).

use super::PostgresStore;
use crate::store::error::StoreResult;
use crate::store::lease::{Holder, LeaseStore};

impl LeaseStore for PostgresStore {
    fn claim(&self, key: &str, holder: &Holder, now_ms: i64, until_ms: i64) -> StoreResult<bool> {
        self.run(async |c| {
            // A running lease of another instance makes the update's condition false: no row.
            let stmt = c
                .prepare_cached(
                    "INSERT INTO turn_leases (key, instance, turn, until) VALUES ($1, $2, $3, $5) \
                     ON CONFLICT (key) DO UPDATE SET instance = EXCLUDED.instance, \
                     turn = EXCLUDED.turn, until = EXCLUDED.until \
                     WHERE turn_leases.until <= $4 OR turn_leases.instance = EXCLUDED.instance \
                     RETURNING turn",
                )
                .await?;
            let params: [&(dyn tokio_postgres::types::ToSql + Sync); 5] =
                [&key, &holder.instance, &holder.turn, &now_ms, &until_ms];
            Ok(c.query_opt(&stmt, &params).await?.is_some())
        })
    }

    fn release(&self, key: &str, turn: &str) -> StoreResult<()> {
        self.run(async |c| {
            let stmt = c
                .prepare_cached("DELETE FROM turn_leases WHERE key = $1 AND turn = $2")
                .await?;
            c.execute(&stmt, &[&key, &turn]).await?;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::conformance::harness;
    use crate::store::conformance::Harness;
    use crate::store::lease::Holder;

    fn holder(instance: &str, turn: &str) -> Holder {
        Holder {
            instance: instance.into(),
            turn: turn.into(),
        }
    }

    #[test]
    fn a_lease_is_held_until_released_or_run_out() {
        let h = harness();
        let leases = h.store().leases();
        let key = "CCO-1";
        assert!(leases.claim(key, &holder("a", "a1"), 0, 1_000).unwrap());
        assert!(
            !leases.claim(key, &holder("b", "b1"), 10, 1_010).unwrap(),
            "a holds it"
        );
        assert!(
            leases
                .claim("CCO-2", &holder("b", "b1"), 10, 1_010)
                .unwrap(),
            "keys apart"
        );
        leases.release(key, "b1").unwrap();
        assert!(
            !leases.claim(key, &holder("b", "b2"), 20, 1_020).unwrap(),
            "only a1 gives it"
        );
        leases.release(key, "a1").unwrap();
        assert!(leases.claim(key, &holder("b", "b3"), 30, 1_030).unwrap());
        // An instance that died: its lease runs out and another takes the key ...
        assert!(!leases.claim(key, &holder("c", "c1"), 1_029, 2_029).unwrap());
        assert!(leases.claim(key, &holder("c", "c1"), 1_030, 2_030).unwrap());
        // ... unless it is that instance, restarted, which takes its own lease over at once.
        assert!(leases.claim(key, &holder("c", "c2"), 1_040, 2_040).unwrap());
        leases.release(key, "c1").unwrap();
        assert!(
            !leases.claim(key, &holder("a", "a2"), 1_050, 2_050).unwrap(),
            "c2 holds it"
        );
    }
}
