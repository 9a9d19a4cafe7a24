//! nginx in front of one or more server instances, on loopback, with a configuration of the
//! test's own in a temporary directory (never the system's service), killed on drop.
//!
//! The configuration (the proxy settings operators are told to use, round robin over the
//! upstreams) is `nginx_config`'s, shared with `cargo xtask demo --postgres`.

use std::path::PathBuf;
use std::process::{Child, Stdio};
use std::time::Duration;

pub use nginx_config::PROXY_DIRECTIVES;

use crate::{free_port, Env};

pub struct Balancer {
    child: Option<Child>,
    pub port: u16,
    dir: PathBuf,
}

impl Balancer {
    /// nginx on a free port, passing every request to the servers on `upstreams` in turn.
    pub async fn start(env: &Env, upstreams: &[u16]) -> Balancer {
        Balancer::start_on(env, free_port(), upstreams).await
    }

    /// As [`Balancer::start`] on `port`, chosen beforehand: for servers that must be told the
    /// balancer's address (`public_url`) before it can start in front of them.
    pub async fn start_on(env: &Env, port: u16, upstreams: &[u16]) -> Balancer {
        let dir =
            std::env::temp_dir().join(format!("checkout-nginx-{}-{port}", std::process::id()));
        std::fs::create_dir_all(dir.join("tmp")).expect("nginx directory");
        let conf = dir.join("nginx.conf");
        std::fs::write(
            &conf,
            nginx_config::round_robin(&format!("127.0.0.1:{port}"), upstreams),
        )
        .expect("nginx.conf");
        let nginx = env.nginx.as_ref().expect(
            "E2E_NGINX is not set: the journeys behind a load balancer need nginx; run them with \
             `cargo xtask test`",
        );
        let child = nginx_config::command(nginx, &dir, &conf)
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", nginx.display()));
        let balancer = Balancer {
            child: Some(child),
            port,
            dir,
        };
        let health = format!("{}/healthz", balancer.origin());
        let client = reqwest::Client::new();
        crate::eventually("nginx to pass requests on", Duration::from_secs(10), || {
            let request = client.get(&health).send();
            async move { request.await.ok().filter(|r| r.status().is_success()) }
        })
        .await
        .unwrap();
        balancer
    }

    /// `http://127.0.0.1:<port>`: what payers and providers would reach.
    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn widget_js(&self) -> String {
        format!("{}/widget/widget.js", self.origin())
    }
}

impl Drop for Balancer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the journeys run behind is what the README tells operators to run.
    #[test]
    fn the_readme_gives_operators_the_same_proxy_settings() {
        let readme = include_str!("../../server/README.md");
        for directive in PROXY_DIRECTIVES {
            assert!(
                readme.contains(directive),
                "crates/server/README.md's nginx example lacks `{directive}`"
            );
        }
    }
}
