//! nginx in front of one or more server instances, on loopback, with a configuration of the
//! test's own in a temporary directory (never the system's service), killed on drop.
//!
//! The proxy settings are those `crates/server/README.md` gives operators ("TLS at a reverse
//! proxy"), minus TLS; a test below keeps the two the same. With several upstreams nginx takes
//! them in turn (round robin), so consecutive requests of one page land on different
//! instances.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::{free_port, Env};

/// The `location /` directives operators are told to use, after `proxy_pass`.
pub const PROXY_DIRECTIVES: &[&str] = &[
    "proxy_http_version 1.1;",
    "proxy_set_header Connection \"\";",
    "proxy_set_header Host $host;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_buffering off;",
    "proxy_read_timeout 1h;",
];

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
        std::fs::write(&conf, config(port, upstreams)).expect("nginx.conf");
        let nginx = env.nginx.as_ref().expect(
            "E2E_NGINX is not set: the journeys behind a load balancer need nginx; run them with \
             `cargo xtask test`",
        );
        let child = Command::new(nginx)
            .arg("-p")
            .arg(&dir)
            .arg("-c")
            .arg(&conf)
            // Before it reads the configuration, nginx opens its compiled-in error log.
            .args(["-e", "stderr"])
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

/// One process in the foreground (no master: killing it leaves no orphaned worker holding the
/// port); every path nginx writes to inside its prefix directory.
fn config(port: u16, upstreams: &[u16]) -> String {
    let servers: String = upstreams
        .iter()
        .map(|p| format!("        server 127.0.0.1:{p};\n"))
        .collect();
    let directives: String = PROXY_DIRECTIVES
        .iter()
        .map(|d| format!("            {d}\n"))
        .collect();
    format!(
        "daemon off;\nmaster_process off;\npid nginx.pid;\nerror_log stderr warn;\n\
         events {{ worker_connections 1024; }}\n\
         http {{\n    access_log off;\n\
             client_body_temp_path tmp/body;\n    proxy_temp_path tmp/proxy;\n\
             fastcgi_temp_path tmp/fastcgi;\n    uwsgi_temp_path tmp/uwsgi;\n\
             scgi_temp_path tmp/scgi;\n\
             upstream checkout {{\n{servers}    }}\n\
             server {{\n        listen 127.0.0.1:{port};\n\
                 location / {{\n            proxy_pass http://checkout;\n{directives}        }}\n    }}\n}}\n"
    )
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

    #[test]
    fn every_upstream_is_listed() {
        let conf = config(8000, &[8001, 8002]);
        assert!(conf.contains("server 127.0.0.1:8001;") && conf.contains("server 127.0.0.1:8002;"));
        assert!(conf.contains("listen 127.0.0.1:8000;"));
    }
}
