//! The merchant's webhook endpoint (`[notify] url`): keeps every notification the server sends,
//! in the order they arrive, repeats included, and answers 204.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::Value;

/// The secret the servers sign notifications with (a test-only value).
pub const NOTIFY_SECRET: &str = "whsec_e2e_notify_0123456789";

pub struct Notifications {
    pub url: String,
    received: Arc<Mutex<Vec<Value>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Notifications {
    pub async fn start() -> Notifications {
        let received = Arc::new(Mutex::new(Vec::new()));
        let app = Router::new()
            .route("/hooks/checkout", post(receive))
            .with_state(received.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        Notifications {
            url: format!("http://127.0.0.1:{port}/hooks/checkout"),
            received,
            task,
        }
    }

    /// The server settings that send notifications here, promptly: a short timeout also makes
    /// the lease on a claimed notification (twice the timeout) short, so a notification claimed
    /// by an instance that died is sent again by another within seconds.
    pub fn server_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("CHECKOUT_NOTIFY_URL", self.url.clone()),
            ("CHECKOUT_NOTIFY_SECRETS", NOTIFY_SECRET.to_owned()),
            ("CHECKOUT_NOTIFY_POLL_INTERVAL", "100ms".to_owned()),
            ("CHECKOUT_NOTIFY_TIMEOUT", "1s".to_owned()),
            ("CHECKOUT_NOTIFY_RETRY_BASE", "200ms".to_owned()),
        ]
    }

    /// Every notification received so far, oldest first.
    pub fn received(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }
}

impl Drop for Notifications {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn receive(
    State(received): State<Arc<Mutex<Vec<Value>>>>,
    Json(body): Json<Value>,
) -> StatusCode {
    received.lock().unwrap().push(body);
    StatusCode::NO_CONTENT
}
