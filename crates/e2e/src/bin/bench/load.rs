//! Server-side load: requests per second with `wrk`, and thousands of live streams held open.

use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What one `wrk` run measured.
#[derive(Debug, Clone, Copy)]
pub struct WrkRun {
    pub rps: f64,
    pub p99_ms: f64,
}

/// The load generator's settings, the same for every endpoint.
pub const WRK_THREADS: u32 = 2;
pub const WRK_CONNECTIONS: u32 = 64;
pub const WRK_SECONDS: u32 = 5;

/// Runs `wrk` against `url` for `seconds` and reads its requests/s and 99th percentile.
pub fn wrk(url: &str, seconds: u32) -> Result<WrkRun, String> {
    wrk_share(url, seconds, 1)
}

/// [`wrk`] with a `1/shares` part of its threads and connections, for one of `shares` runs at
/// the same time that together load like one.
pub fn wrk_share(url: &str, seconds: u32, shares: u32) -> Result<WrkRun, String> {
    let out = Command::new("wrk")
        .arg(format!("-t{}", share_of(WRK_THREADS, shares)))
        .arg(format!("-c{}", share_of(WRK_CONNECTIONS, shares)))
        .arg(format!("-d{seconds}s"))
        .arg("--latency")
        .arg(url)
        .output()
        .map_err(|e| format!("cannot run wrk (cargo xtask bench installs it): {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !out.status.success() {
        return Err(format!("wrk failed: {text}"));
    }
    parse_wrk(&text).map_err(|e| format!("{e} in wrk's output:\n{text}"))
}

/// One of `shares` equal parts of `total`, at least 1.
fn share_of(total: u32, shares: u32) -> u32 {
    (total / shares.max(1)).max(1)
}

fn parse_wrk(text: &str) -> Result<WrkRun, String> {
    if let Some(line) = text.lines().find(|l| l.contains("Non-2xx or 3xx")) {
        return Err(format!("failed requests ({})", line.trim()));
    }
    let rps = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
        .and_then(|v| v.trim().parse().ok())
        .ok_or("no Requests/sec")?;
    let p99 = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("99%"))
        .and_then(|v| duration_ms(v.trim()))
        .ok_or("no 99% latency")?;
    Ok(WrkRun { rps, p99_ms: p99 })
}

/// wrk's `812.00us`, `1.23ms`, `2.01s` in milliseconds.
fn duration_ms(text: &str) -> Option<f64> {
    let split = text.find(|c: char| c.is_ascii_alphabetic())?;
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().ok()?;
    match unit {
        "us" => Some(number / 1000.0),
        "ms" => Some(number),
        "s" => Some(number * 1000.0),
        "m" => Some(number * 60_000.0),
        _ => None,
    }
}

/// Opens `count` live-status streams spread round-robin over `checkouts`, each one until its
/// first `status` event arrived, and returns the open connections (dropping them closes them).
pub async fn open_streams(
    port: u16,
    checkouts: &[String],
    count: usize,
) -> Result<Vec<TcpStream>, String> {
    // Enough at once to be quick, few enough not to overflow the listen backlog.
    let permits = Arc::new(tokio::sync::Semaphore::new(256));
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..count {
        let id = checkouts[i % checkouts.len()].clone();
        let permits = permits.clone();
        tasks.spawn(async move {
            let _permit = permits.acquire_owned().await.expect("semaphore open");
            tokio::time::timeout(Duration::from_secs(60), open_stream(port, &id))
                .await
                .map_err(|_| "a stream did not deliver its first event within 60 s".to_owned())?
        });
    }
    let mut streams = Vec::with_capacity(count);
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        match joined.map_err(|e| e.to_string()).and_then(|r| r) {
            Ok(stream) => streams.push(stream),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        eprintln!(
            "bench: {} of {count} streams failed to open; first error: {e}",
            count - streams.len()
        );
    }
    Ok(streams)
}

async fn open_stream(port: u16, id: &str) -> Result<TcpStream, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .await
        .map_err(|e| format!("connect: {e}"))?;
    let request = format!(
        "GET /api/v1/public/checkouts/{id}/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\
         Accept: text/event-stream\r\n\r\n"
    );
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("write: {e}"))?;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err(format!(
                "the server closed the stream: {}",
                String::from_utf8_lossy(&seen)
            ));
        }
        seen.extend_from_slice(&buf[..n]);
        if !seen.starts_with(b"HTTP/1.1 200") && seen.len() >= 12 {
            return Err(format!("not a stream: {}", String::from_utf8_lossy(&seen)));
        }
        let text = String::from_utf8_lossy(&seen);
        if let Some(at) = text.find("event: status") {
            if text[at..].contains("\n\n") {
                return Ok(stream);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_at_the_same_time_share_the_generator() {
        assert_eq!(share_of(WRK_CONNECTIONS, 1), WRK_CONNECTIONS);
        assert_eq!(share_of(WRK_CONNECTIONS, 2) * 2, WRK_CONNECTIONS);
        assert_eq!(share_of(WRK_THREADS, 2), 1);
        assert_eq!(share_of(WRK_THREADS, 4), 1, "never no thread at all");
        assert_eq!(share_of(WRK_THREADS, 0), WRK_THREADS);
    }

    #[test]
    fn reads_wrk_output() {
        let text = "Running 5s test @ http://127.0.0.1:1/x\n  2 threads and 64 connections\n\
            \x20 Latency Distribution\n     50%  812.00us\n     75%    1.10ms\n     90%    2.00ms\n\
            \x20    99%    4.52ms\n  61234 requests in 5.00s, 9.1MB read\n\
            Requests/sec:  12246.80\nTransfer/sec:      1.82MB\n";
        let run = parse_wrk(text).unwrap();
        assert_eq!(run.rps, 12246.80);
        assert_eq!(run.p99_ms, 4.52);
        assert_eq!(duration_ms("812.00us"), Some(0.812));
        assert_eq!(duration_ms("2.00s"), Some(2000.0));
        assert!(parse_wrk("Non-2xx or 3xx responses: 5\nRequests/sec: 1\n").is_err());
    }
}
