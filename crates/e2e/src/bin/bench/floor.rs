//! The floor's own origin: `floor-element.js` (beside this file, never in dist/) served from a
//! port of its own on 127.0.0.1. That is neither the host page's origin (`localhost`) nor the
//! checkout server's, so like `widget.js` it costs the page a new connection.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

const FLOOR_JS: &str = include_str!("floor-element.js");

/// The custom element the floor defines.
pub const TAG: &str = "floor-checkout";
/// The mark it sets once its currency list is on screen.
pub const MARK: &str = "checkout-floor:interactive";

pub struct FloorSite {
    port: u16,
    task: tokio::task::JoinHandle<()>,
}

impl FloorSite {
    pub async fn start() -> FloorSite {
        let app = Router::new().route("/floor-element.js", get(script));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the floor's origin");
        let port = listener.local_addr().expect("floor address").port();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        FloorSite { port, task }
    }

    pub fn script_url(&self) -> String {
        format!("http://127.0.0.1:{}/floor-element.js", self.port)
    }
}

impl Drop for FloorSite {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript")], FLOOR_JS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_script_defines_the_tag_and_sets_the_mark_the_bench_waits_for() {
        assert!(FLOOR_JS.contains(&format!("customElements.define(\n    \"{TAG}\"")));
        assert!(FLOOR_JS.contains(&format!("var MARK = \"{MARK}\";")));
    }
}
