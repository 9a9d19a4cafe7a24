//! What every store promises, written once against the [`Store`] interface and run on each
//! store (`sqlite::conformance`, `postgres::conformance`): the same inputs must give the same
//! answers, so routes and domain code cannot tell which store runs.

pub mod evm;
pub mod lists;
pub mod outbox;
pub mod races;
pub mod rechecks;
pub mod writes;

use crate::store::Store;

/// A fresh, migrated store for one test, and a look at its tables.
pub trait Harness {
    fn store(&self) -> &dyn Store;
    /// How many rows `table` holds.
    fn count(&self, table: &str) -> u32;
}

/// Expands to one `#[test]` per named conformance check, each on a fresh `$harness()`.
macro_rules! conformance_tests {
    ($harness:path; $($module:ident :: $name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                let harness = $harness();
                $crate::store::conformance::$module::$name(&harness);
            }
        )*
    };
}
pub(crate) use conformance_tests;

/// Every check, for the stores' `conformance_tests!` lists.
macro_rules! every_check {
    ($harness:path) => {
        $crate::store::conformance::conformance_tests!($harness;
            writes::a_taken_client_order_id_returns_the_existing_checkout_and_writes_nothing,
            writes::a_mutation_writes_the_record_its_payments_changes_and_merchant_events_together,
            writes::a_mutation_that_changes_nothing_writes_nothing,
            writes::a_repeated_inbound_event_is_recognised_inside_the_transaction,
            writes::a_failing_mutation_rolls_back_everything_the_inbound_event_included,
            writes::several_facts_changed_in_one_version_are_several_events_in_their_order,
            writes::a_checkout_reads_back_as_written_with_its_payments_oldest_first,
            lists::lists_page_newest_first_from_the_cursor,
            lists::lists_filter_by_status,
            lists::a_widgets_checkouts_come_oldest_first,
            lists::expiry_candidates_are_unpaid_open_checkouts_past_their_expiry_soonest_first,
            lists::an_event_id_is_recorded_once_per_provider,
            lists::a_widget_key_is_stored_once_and_the_first_settings_stay,
            outbox::a_queued_event_is_due_claimed_once_and_its_attempts_recorded,
            outbox::due_rows_are_claimed_in_a_batch_once_until_their_lease_ends,
            outbox::a_delivered_event_is_due_again_only_when_redelivered,
            outbox::a_redelivery_asked_for_during_an_attempt_outlives_the_attempt,
            outbox::deliveries_page_newest_first_and_filter,
            outbox::the_backlog_counts_what_waits_and_since_when,
            evm::each_payment_gets_the_next_index_of_its_network_once,
            evm::blocks_move_the_cursor_and_a_rewind_uncounts_what_they_held,
            races::twins_racing_on_one_client_order_id_make_one_checkout,
            races::twins_racing_on_one_inbound_event_apply_it_once,
            races::changes_racing_on_one_checkout_are_each_applied_to_the_one_before,
            rechecks::an_open_payment_is_claimed_once_until_its_lease_ends,
            rechecks::a_settled_checkout_s_payments_are_not_open_and_an_expired_one_only_within_the_window,
            rechecks::a_settled_checkout_s_payment_stays_open_while_its_settlement_has_a_step_left,
            rechecks::a_pick_keeps_its_reservation_and_first_reference_until_its_payment_is_stored,
        );
    };
}
pub(crate) use every_check;
