//! Waiting for a server (or nginx in front of servers) to answer `GET /healthz`.

use std::process::Child;
use std::time::{Duration, Instant};

/// Polls `GET /healthz` until it answers 200, the child exits, or `timeout` passes.
pub fn wait_healthy(listen: &str, timeout: Duration, child: &mut Child) -> Result<(), String> {
    let started = Instant::now();
    while started.elapsed() < timeout {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("the server exited during start-up: {status}"));
        }
        if health_ok(listen) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Err(format!(
        "the server did not become healthy on {listen} within {timeout:?}"
    ))
}

fn health_ok(listen: &str) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(listen) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let request = format!("GET /healthz HTTP/1.1\r\nHost: {listen}\r\nConnection: close\r\n\r\n");
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}
