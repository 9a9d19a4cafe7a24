//! Polling with ETags and the server-sent event stream.

use std::time::Duration;

use merchant_client::calls;
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn status_etag_makes_an_unchanged_poll_a_304() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let url = app.url(&format!("/api/v1/public/checkouts/{id}/status"));
    let first = app.client.get(&url).send().await.unwrap();
    assert_eq!(first.status(), StatusCode::OK);
    assert_eq!(first.headers()["etag"], "\"1\"");
    assert_eq!(first.headers()["cache-control"], "no-cache");
    let body: Value = first.json().await.unwrap();
    assert_eq!(
        (body["status"].as_str(), body["version"].as_u64()),
        (Some("NEW"), Some(1))
    );

    let unchanged = app
        .client
        .get(&url)
        .header("if-none-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(unchanged.headers()["etag"], "\"1\"");
    assert!(unchanged.bytes().await.unwrap().is_empty());

    app.pick(&id, "BTC", "BITCOIN", None).await;
    let changed = app
        .client
        .get(&url)
        .header("if-none-match", "\"1\"")
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), StatusCode::OK);
    assert_eq!(changed.headers()["etag"], "\"2\"");
}

/// Reads `text/event-stream` frames off a response.
pub(crate) struct Events {
    response: reqwest::Response,
    buffer: String,
    pub comments: usize,
}

#[derive(Debug)]
pub(crate) struct Frame {
    pub(crate) event: String,
    pub(crate) id: String,
    pub(crate) data: Value,
}

impl Events {
    pub(crate) async fn open(app: &TestApp, id: &str, last_event_id: Option<&str>) -> Events {
        let mut req = app
            .client
            .get(app.url(&format!("/api/v1/public/checkouts/{id}/events")));
        if let Some(last) = last_event_id {
            req = req.header("last-event-id", last);
        }
        let response = req.send().await.unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream"));
        Events {
            response,
            buffer: String::new(),
            comments: 0,
        }
    }

    /// The next event, `None` when the stream ended. Fails after 10 s.
    pub(crate) async fn next(&mut self) -> Option<Frame> {
        tokio::time::timeout(Duration::from_secs(10), async {
            loop {
                if let Some(end) = self.buffer.find("\n\n") {
                    let block: String = self.buffer.drain(..end + 2).collect();
                    let (mut event, mut id, mut data) =
                        (String::new(), String::new(), String::new());
                    for line in block.lines() {
                        if line.starts_with(':') {
                            self.comments += 1;
                        } else if let Some(v) = line.strip_prefix("event:") {
                            event = v.trim().to_owned();
                        } else if let Some(v) = line.strip_prefix("id:") {
                            id = v.trim().to_owned();
                        } else if let Some(v) = line.strip_prefix("data:") {
                            data.push_str(v.trim_start());
                        }
                    }
                    if event.is_empty() {
                        continue;
                    }
                    return Some(Frame {
                        event,
                        id,
                        data: serde_json::from_str(&data).unwrap(),
                    });
                }
                match self.response.chunk().await.unwrap() {
                    Some(bytes) => self.buffer.push_str(std::str::from_utf8(&bytes).unwrap()),
                    None => return None,
                }
            }
        })
        .await
        .expect("no event within 10 s")
    }
}

#[tokio::test]
async fn stream_sends_the_current_view_then_every_change_and_ends_at_a_final_status() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let mut events = Events::open(&app, &id, None).await;
    let first = events.next().await.unwrap();
    assert_eq!((first.event.as_str(), first.id.as_str()), ("status", "1"));
    assert_eq!(first.data["status"], "NEW");
    assert_eq!(first.data["id"], id.as_str());

    let view = app.pick(&id, "BTC", "BITCOIN", None).await;
    let second = events.next().await.unwrap();
    assert_eq!(second.data["status"], "WAITING_PAYMENT");
    assert_eq!(second.id, "2");
    assert_eq!(second.data["payment"]["id"], view["payment"]["id"]);

    app.pay(&payment_id(&view), &payment_amount(&view)).await;
    let mut last = second;
    while let Some(frame) = events.next().await {
        assert!(frame.id.parse::<u64>().unwrap() > last.id.parse::<u64>().unwrap());
        last = frame;
    }
    // The stream ended by itself, after the final status.
    assert_eq!(last.data["status"], "SUCCESS");
    assert_eq!(last.data["payment"]["confirmations"], 2);
}

#[tokio::test]
async fn last_event_id_resumes_without_repeating_and_heartbeats_flow() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let mut events = Events::open(&app, &id, Some("1")).await;
    // Idle: only heartbeat comments arrive until something changes.
    let wait = tokio::time::Instant::now() + Duration::from_secs(5);
    while events.comments == 0 {
        assert!(tokio::time::Instant::now() < wait, "no heartbeat");
        if let Ok(Some(bytes)) =
            tokio::time::timeout(Duration::from_millis(500), events.response.chunk())
                .await
                .map(Result::unwrap)
        {
            let text = std::str::from_utf8(&bytes).unwrap();
            assert!(!text.contains("event:"), "unexpected event: {text}");
            events.comments += text.matches(": heartbeat").count();
        }
    }
    app.pick(&id, "ETH", "ETHEREUM", None).await;
    let frame = events.next().await.unwrap();
    assert_eq!(
        (frame.id.as_str(), frame.data["status"].as_str()),
        ("2", Some("WAITING_PAYMENT"))
    );

    // A stale Last-Event-ID gets the current view at once.
    let mut stale = Events::open(&app, &id, Some("1")).await;
    assert_eq!(stale.next().await.unwrap().id, "2");
}

#[tokio::test]
async fn a_stream_opened_on_a_final_checkout_sends_it_once_and_ends() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let (s, _) = app.send(calls::cancel(&id)).await;
    assert_eq!(s, StatusCode::OK);
    let mut events = Events::open(&app, &id, None).await;
    let frame = events.next().await.unwrap();
    assert_eq!(frame.data["status"], "CANCELLED");
    assert!(events.next().await.is_none());
    // Resuming at the final version: nothing to send, the stream ends at once.
    let mut resumed = Events::open(&app, &id, Some(&frame.id)).await;
    assert!(resumed.next().await.is_none());
}

#[tokio::test]
async fn open_streams_do_not_hold_up_a_graceful_stop() {
    let mut app = spawn_app().await;
    let id = app.fixed_checkout("25", "USD").await;
    let mut events = Events::open(&app, &id, None).await;
    assert_eq!(events.next().await.unwrap().data["status"], "NEW");
    let server = app.server.take().unwrap();
    tokio::time::timeout(Duration::from_secs(5), server.stop())
        .await
        .expect("stop waited for the open stream")
        .unwrap();
    assert!(events.next().await.is_none());
}
