//! The real server binary, on its own port with its own database, killed on drop.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{free_port, Env, HostSite};

/// The merchant key the journeys configure; a test-only value.
pub const MERCHANT_KEY: &str = "sk_test_e2e_0123456789abcdef";

pub struct Server {
    child: Option<Child>,
    pub port: u16,
    pub data_dir: PathBuf,
    env: Env,
    extra_env: Vec<(String, String)>,
}

impl Server {
    /// Starts a server with a fresh data directory and fast sandbox timings, allowing `site`'s
    /// origin through CORS (as a merchant's configuration would).
    pub async fn start(env: &Env, site: &HostSite) -> Server {
        Server::start_with(env, site, &[]).await
    }

    /// As [`Server::start`], with extra environment variables for the server.
    pub async fn start_with(env: &Env, site: &HostSite, extra_env: &[(&str, &str)]) -> Server {
        let mut vars = vec![
            ("CHECKOUT_CORS_ORIGINS".to_owned(), site.origin()),
            (
                "CHECKOUT_SANDBOX_BLOCK_INTERVAL".to_owned(),
                "200ms".to_owned(),
            ),
        ];
        vars.extend(
            extra_env
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let data_dir = std::env::temp_dir().join(format!(
            "checkout-e2e-{}-{}",
            std::process::id(),
            free_port()
        ));
        std::fs::create_dir_all(&data_dir).expect("temp data dir");
        let mut server = Server {
            child: None,
            port: free_port(),
            data_dir,
            env: env.clone(),
            extra_env: vars,
        };
        server.restart().await;
        server
    }

    /// `http://127.0.0.1:<port>`: the widget's origin, distinct from the host pages' origin.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn widget_js(&self) -> String {
        format!("{}/widget/widget.js", self.origin())
    }

    /// Kills the process without ceremony (as a crash would).
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the server again on the same port and data directory, and waits until healthy.
    pub async fn restart(&mut self) {
        self.kill();
        let mut cmd = Command::new(&self.env.server_bin);
        cmd.arg("serve")
            .arg("--listen")
            .arg(format!("127.0.0.1:{}", self.port))
            .arg("--data-dir")
            .arg(&self.data_dir)
            .arg("--dist")
            .arg(&self.env.dist)
            .env("CHECKOUT_MERCHANT_API_KEY", MERCHANT_KEY)
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        for (k, v) in &self.extra_env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("start the server binary");
        self.child = Some(child);
        let health = format!("{}/healthz", self.origin());
        let client = reqwest::Client::new();
        crate::eventually(
            "the server to become healthy",
            Duration::from_secs(20),
            || {
                let request = client.get(&health).send();
                async move { request.await.ok().filter(|r| r.status().is_success()) }
            },
        )
        .await
        .unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}
