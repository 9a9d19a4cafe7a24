//! What both stores do with a schema newer than the migrations this release knows.

/// Refuses schema version `current` when it is past `known`: an older release started on a
/// database a newer one upgraded (a rollback, or an instance not yet replaced during a rolling
/// upgrade) would misread tables it does not know. The message says how to get out.
pub fn refuse_newer(current: i64, known: i64) -> anyhow::Result<()> {
    anyhow::ensure!(
        current <= known,
        "the database's schema is version {current}, newer than this checkout-server knows \
         ({known}): it was upgraded by a newer release. Run that release (or newer), or restore \
         the backup taken before the upgrade"
    );
    Ok(())
}
