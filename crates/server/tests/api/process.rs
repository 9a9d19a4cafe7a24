//! The real server binary as a child process, for the tests that kill it or read its logs.

use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub struct ServerProcess {
    pub child: Child,
    pub base: String,
    /// Everything the server wrote to stderr (its logs), filled by a reader thread.
    pub logs: std::sync::Arc<std::sync::Mutex<String>>,
}

impl ServerProcess {
    /// Starts `checkout-server serve` on a random port with `env` (and nothing inherited that
    /// could change its configuration), and waits for its `listening on` line.
    /// On the suite's PostgreSQL run, `env` must name the test's database
    /// (`TestDatabase::env`): a server left on SQLite there would pass for the wrong store.
    pub async fn start(data_dir: &Path, env: &[(&str, String)]) -> ServerProcess {
        assert!(
            !crate::helpers::on_postgres() || env.iter().any(|(k, _)| *k == "CHECKOUT_DATABASE_URL"),
            "this suite runs on PostgreSQL: give the server the test's database (TestDatabase::env)"
        );
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_checkout-server"));
        cmd.arg("serve")
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CHECKOUT_LISTEN", "127.0.0.1:0")
            .env("CHECKOUT_DATA_DIR", data_dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("starting the server binary");
        let stdout = child.stdout.take().unwrap();
        let mut stderr = child.stderr.take().unwrap();
        let logs = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = logs.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        let line = tokio::task::spawn_blocking(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            reader.read_line(&mut line).unwrap();
            // Keep reading so the server never blocks on a full pipe.
            std::thread::spawn(move || std::io::copy(&mut reader, &mut std::io::sink()));
            line
        })
        .await
        .unwrap();
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| {
                panic!(
                    "unexpected first line {line:?}; logs: {}",
                    logs.lock().unwrap()
                )
            })
            .to_owned();
        ServerProcess { child, base, logs }
    }

    /// SIGKILL: no shutdown code runs.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then waits for the exit.
    pub fn terminate(mut self) -> String {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(50));
        let logs = self.logs.lock().unwrap().clone();
        logs
    }
}
