//! What every store of subscription keys must do, run on each (`sqlite.rs`, `postgres.rs`).

use super::{KeyStore, NewKeys, WebhookKeys};
use crate::config::Secret;

pub const URL: &str = "https://pay.example/webhooks/calypso";

fn answer(public: &str, secret: &str) -> NewKeys {
    let keys = WebhookKeys {
        public_key: Secret::new(public.to_owned()),
        secret_key: Secret::new(secret.to_owned()),
    };
    Box::pin(async move { Ok(keys) })
}

/// The first call subscribes and stores; later ones find the stored keys without asking
/// Calypso; a refused subscription stores nothing; URLs are apart. Call on a blocking thread
/// inside a runtime.
pub fn keys_are_kept_per_url(store: &dyn KeyStore) {
    assert!(store.find(URL).unwrap().is_none());
    let refused: NewKeys = Box::pin(async { anyhow::bail!("calypso said no") });
    let error = store.find_or_subscribe(URL, 1, refused).unwrap_err();
    assert!(
        format!("{error:#}").contains("calypso said no"),
        "{error:#}"
    );
    assert!(store.find(URL).unwrap().is_none());

    let (keys, created) = store
        .find_or_subscribe(URL, 1, answer("pk-1", "sk-1"))
        .unwrap();
    assert!(created);
    assert_eq!(keys.secret_key.expose(), "sk-1");
    let never: NewKeys = Box::pin(async { panic!("a stored subscription must not ask Calypso") });
    let (again, created) = store.find_or_subscribe(URL, 2, never).unwrap();
    assert!(!created);
    assert_eq!(again.public_key.expose(), "pk-1");

    let other = "https://other.example/webhooks/calypso";
    assert!(store.find(other).unwrap().is_none());
    store
        .find_or_subscribe(other, 3, answer("pk-2", "sk-2"))
        .unwrap();
    assert_eq!(
        store.find(URL).unwrap().unwrap().secret_key.expose(),
        "sk-1"
    );
    assert_eq!(
        store.find(other).unwrap().unwrap().secret_key.expose(),
        "sk-2"
    );
}
