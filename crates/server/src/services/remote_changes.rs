//! Changes committed by other instances (PostgreSQL): what the database's LISTEN connection
//! hears (`store::postgres::listen`) reaches this instance's live streams and status cache,
//! the two things the local write path ([`super::modify`]) feeds.
//!
//! A notification carries only the checkout id and version; the view is re-read here, and only
//! when somebody on this instance needs it (a stream is open, or the cache holds an older
//! version). Our own changes come back too; the cache already has them, so only a watched
//! checkout is read once more.

use tokio::sync::mpsc;

use super::checkouts::public_view;
use crate::state::AppState;
use crate::store::postgres::listen::Heard;

/// Feeds the live streams and the status cache from `heard` until the listener ends.
pub async fn run(state: AppState, mut heard: mpsc::Receiver<Heard>) {
    while let Some(h) = heard.recv().await {
        match h {
            Heard::Changed { id, version } => changed(&state, id, version).await,
            Heard::Listening => missed_some(&state).await,
        }
    }
}

/// Re-reads checkout `id` when a stream here watches it (a poll may have filled the cache
/// without telling the streams, so the cache does not say what they saw) or the cache holds an
/// older version.
async fn changed(state: &AppState, id: String, version: u64) {
    let cached_older = state.status_cache.version(&id).is_some_and(|v| v < version);
    if cached_older || state.live.is_watched(&id) {
        reread(state, id).await;
    }
}

/// Notifications sent while not listening are gone: drop the cache (polls read the database)
/// and re-read every checkout a stream here watches.
async fn missed_some(state: &AppState) {
    state.status_cache.clear();
    for id in state.live.watched_ids() {
        reread(state, id).await;
    }
}

async fn reread(state: &AppState, id: String) {
    let read = state.db.run(move |s| s.checkout(&id)).await;
    match read {
        Ok(Some(record)) => {
            state.status_cache.put(&record);
            state.live.publish(&public_view(state, &record));
        }
        Ok(None) => {}
        Err(e) => tracing::warn!("re-reading a checkout another instance changed: {e}"),
    }
}
