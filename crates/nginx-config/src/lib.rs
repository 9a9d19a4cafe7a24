//! nginx in front of one or more checkout-server instances on loopback: the one configuration
//! the journeys' balancer (`crates/e2e/src/balancer.rs`) and `cargo xtask demo --postgres`
//! both write, so what the tests run behind is what a person runs the demo behind. A crate of
//! its own without dependencies, because xtask must not compile the journeys' harness.
//!
//! The proxy settings are those `crates/server/README.md` gives operators ("TLS at a reverse
//! proxy"), minus TLS (the e2e crate's tests keep the two the same). With several upstreams
//! nginx takes them in turn (round robin), so consecutive requests land on different instances.

/// The `location /` directives operators are told to use, after `proxy_pass`.
pub const PROXY_DIRECTIVES: &[&str] = &[
    "proxy_http_version 1.1;",
    "proxy_set_header Connection \"\";",
    "proxy_set_header Host $host;",
    "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;",
    "proxy_buffering off;",
    "proxy_read_timeout 1h;",
];

/// A complete `nginx.conf` listening on `listen` (`127.0.0.1:8080`) and passing every request
/// to the servers on loopback `upstreams` in turn.
///
/// One process in the foreground (no master: killing it leaves no orphaned worker holding the
/// port); every path nginx writes to is inside its prefix directory (`nginx -p <dir>`), whose
/// `tmp/` the caller creates.
pub fn round_robin(listen: &str, upstreams: &[u16]) -> String {
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
             server {{\n        listen {listen};\n\
                 location / {{\n            proxy_pass http://checkout;\n{directives}        }}\n    }}\n}}\n"
    )
}

/// nginx run with `conf` and the prefix `dir` (its temporary files), never the system's own
/// configuration; its error log on stderr from the start (before it reads the configuration,
/// nginx opens its compiled-in error log).
pub fn command(
    nginx: &std::path::Path,
    dir: &std::path::Path,
    conf: &std::path::Path,
) -> std::process::Command {
    let mut command = std::process::Command::new(nginx);
    command
        .arg("-p")
        .arg(dir)
        .arg("-c")
        .arg(conf)
        .args(["-e", "stderr"]);
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_upstream_is_listed_behind_the_address() {
        let conf = round_robin("127.0.0.1:8000", &[8001, 8002]);
        assert!(conf.contains("server 127.0.0.1:8001;") && conf.contains("server 127.0.0.1:8002;"));
        assert!(conf.contains("listen 127.0.0.1:8000;"));
        for directive in PROXY_DIRECTIVES {
            assert!(conf.contains(directive), "{directive}");
        }
    }
}
