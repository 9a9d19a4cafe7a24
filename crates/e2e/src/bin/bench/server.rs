//! The server under measurement: the real binary, spawned here (not through the journeys'
//! `Server`) because the bench needs its pid (for resident memory) and a fine-grained clock from
//! exec to healthy. Also the webhook relay that timestamps the sandbox's deliveries.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use e2e::server::MERCHANT_KEY;
use e2e::{free_port, Env};

use crate::now_ms;

pub struct BenchServer {
    child: Child,
    pub port: u16,
    data_dir: PathBuf,
}

/// Everything the bench's server is started with.
pub struct Launch<'a> {
    pub env: &'a Env,
    pub port: u16,
    pub cors_origin: String,
    pub config: &'a Path,
    /// `CHECKOUT_DATABASE_URL`: PostgreSQL instead of a SQLite file in the data directory.
    pub database_url: Option<&'a str>,
}

impl BenchServer {
    /// Spawns the server with an empty data directory and returns it with the time from exec
    /// to its first healthy answer (polled every 2 ms).
    pub async fn start(launch: &Launch<'_>) -> Result<(BenchServer, Duration), String> {
        let data_dir = std::env::temp_dir().join(format!(
            "checkout-bench-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&data_dir).map_err(|e| e.to_string())?;
        let mut cmd = Command::new(&launch.env.server_bin);
        cmd.arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", launch.port))
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--dist")
            .arg(&launch.env.dist)
            .arg("--config")
            .arg(launch.config)
            .env("CHECKOUT_MERCHANT_API_KEY", MERCHANT_KEY)
            .env("CHECKOUT_CORS_ORIGINS", &launch.cors_origin)
            // One client (this process) makes every request: the per-client limit is off.
            .env("CHECKOUT_RATE_LIMIT", "0")
            .env("CHECKOUT_BENCH_BASELINE", "1")
            // No blocks during the run: a payment stays PENDING_PAYMENT after its one webhook.
            .env("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "1h")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(url) = launch.database_url {
            cmd.env("CHECKOUT_DATABASE_URL", url);
        }
        let started = Instant::now();
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", launch.env.server_bin.display()))?;
        let addr = format!("127.0.0.1:{}", launch.port);
        loop {
            if healthy(&addr).await {
                break;
            }
            if let Ok(Some(status)) = child.try_wait() {
                return Err(format!("the server exited during start-up: {status}"));
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                return Err("the server was not healthy within 30 s".into());
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        let elapsed = started.elapsed();
        Ok((
            BenchServer {
                child,
                port: launch.port,
                data_dir,
            },
            elapsed,
        ))
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Resident memory in MB (VmRSS from /proc).
    pub fn rss_mb(&self) -> Result<f64, String> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .map_err(|e| format!("reading the server's /proc status: {e}"))?;
        let kb: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or("no VmRSS in /proc/<pid>/status")?;
        Ok(kb as f64 / 1024.0)
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// One raw `GET /healthz`; true on a 200.
async fn healthy(addr: &str) -> bool {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Ok(mut stream) = tokio::net::TcpStream::connect(addr).await else {
        return false;
    };
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut head = [0u8; 12];
    matches!(
        tokio::time::timeout(Duration::from_secs(2), stream.read_exact(&mut head)).await,
        Ok(Ok(_))
    ) && head.starts_with(b"HTTP/1.1 200")
}

/// The sandbox's webhooks go here first (`[sandbox] webhook_url`); the relay notes the wall
/// clock (ms since the epoch) per invoice and hands the exact signed bytes to the server.
#[derive(Clone)]
pub struct Relay {
    pub port: u16,
    sent_at: Arc<Mutex<HashMap<String, f64>>>,
}

#[derive(Clone)]
struct RelayState {
    target: String,
    sent_at: Arc<Mutex<HashMap<String, f64>>>,
    http: reqwest::Client,
}

impl Relay {
    /// Listens on a free port and forwards to `http://127.0.0.1:<server_port>/webhooks/sandbox`.
    pub async fn start(server_port: u16) -> Relay {
        let sent_at = Arc::new(Mutex::new(HashMap::new()));
        let state = RelayState {
            target: format!("http://127.0.0.1:{server_port}/webhooks/sandbox"),
            sent_at: sent_at.clone(),
            http: reqwest::Client::new(),
        };
        let app = Router::new().route("/relay", post(relay)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("a port for the relay");
        let port = listener.local_addr().expect("relay address").port();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Relay { port, sent_at }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/relay", self.port)
    }

    /// When the first webhook about `invoice_ref` was handed to the server.
    pub fn sent_at(&self, invoice_ref: &str) -> Option<f64> {
        self.sent_at.lock().unwrap().get(invoice_ref).copied()
    }
}

async fn relay(State(state): State<RelayState>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let invoice_ref = serde_json::from_slice::<serde_json::Value>(&body)
        .ok()
        .and_then(|v| v["invoiceRef"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut request = state.http.post(&state.target).body(body);
    for (name, value) in headers.iter() {
        if name == "x-sandbox-signature" || name == "content-type" {
            request = request.header(name, value);
        }
    }
    let at = now_ms();
    state
        .sent_at
        .lock()
        .unwrap()
        .entry(invoice_ref)
        .or_insert(at);
    match request.send().await {
        Ok(r) => r.status(),
        Err(_) => StatusCode::BAD_GATEWAY,
    }
}
