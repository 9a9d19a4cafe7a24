//! `cargo xtask demo --postgres`: the demo as a merchant grows past one machine runs it. A
//! local PostgreSQL server, two server instances on it in demo mode, and nginx in front of them,
//! round robin, on the demo's usual address, with the configuration the journeys' balancer uses
//! (`nginx_config`).
//!
//! The database is thrown away when the demo stops (a [`TestPostgres`]: a fresh cluster in a
//! temporary directory, stopped and removed whatever happened), so every run starts empty; the
//! plain `cargo xtask demo` is the one that keeps its data (SQLite, `target/demo-data`). A
//! kept cluster would have to live where the unprivileged `postgres` user can write, outside
//! the checkout when it runs as root, and outlive a crash of this process.
//!
//! Each instance gets a metrics listener of its own (`/metrics`), so a person (and the test
//! below) can see which instance answered what.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::health::wait_healthy;
use crate::postgres::{free_port, TestPostgres};

/// How many instances share the database.
pub const INSTANCES: usize = 2;

/// One server instance: its address and its metrics listener's.
pub struct Instance {
    child: Child,
    pub listen: String,
    pub metrics: String,
}

/// Everything the demo started; dropping it stops nginx, the instances, then PostgreSQL.
pub struct PostgresDemo {
    nginx: Option<Child>,
    pub instances: Vec<Instance>,
    // Declared last: dropped after the instances it serves.
    pub postgres: TestPostgres,
}

/// What the instances serve and where they keep their files.
pub struct Serving<'a> {
    pub server: &'a Path,
    pub dist: &'a Path,
    pub examples: &'a Path,
    /// Emptied at the start: the instances' data directories and nginx's prefix.
    pub dir: &'a Path,
}

impl Drop for PostgresDemo {
    fn drop(&mut self) {
        let children = self
            .nginx
            .iter_mut()
            .chain(self.instances.iter_mut().map(|i| &mut i.child));
        for child in children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts PostgreSQL, the instances one after the other (the first applies the migrations),
/// and nginx on `listen`. nginx and PostgreSQL are installed when missing.
pub fn start(serving: &Serving, listen: &str) -> Result<PostgresDemo, String> {
    let nginx = crate::tools::ensure_nginx()?;
    let _ = std::fs::remove_dir_all(serving.dir);
    let nginx_dir = serving.dir.join("nginx");
    std::fs::create_dir_all(nginx_dir.join("tmp"))
        .map_err(|e| format!("{}: {e}", nginx_dir.display()))?;
    let mut demo = PostgresDemo {
        nginx: None,
        instances: Vec::new(),
        postgres: TestPostgres::start()?,
    };
    for n in 1..=INSTANCES {
        let instance = start_instance(serving, &demo.postgres.url(), n)?;
        demo.instances.push(instance);
        let last = demo.instances.last_mut().expect("just pushed");
        wait_healthy(&last.listen, Duration::from_secs(30), &mut last.child)
            .map_err(|e| format!("instance {n}: {e}"))?;
    }
    let upstreams: Vec<u16> = demo.instances.iter().map(|i| port_of(&i.listen)).collect();
    let conf = nginx_dir.join("nginx.conf");
    std::fs::write(&conf, nginx_config::round_robin(listen, &upstreams))
        .map_err(|e| format!("{}: {e}", conf.display()))?;
    let child = nginx_config::command(&nginx, &nginx_dir, &conf)
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", nginx.display()))?;
    let nginx = demo.nginx.insert(child);
    wait_healthy(listen, Duration::from_secs(10), nginx)
        .map_err(|e| format!("nginx on {listen}: {e}"))?;
    Ok(demo)
}

fn start_instance(serving: &Serving, database_url: &str, n: usize) -> Result<Instance, String> {
    let listen = format!("127.0.0.1:{}", free_port()?);
    let metrics = format!("127.0.0.1:{}", free_port()?);
    let child = Command::new(serving.server)
        .args(["serve", "--demo", "--listen", &listen])
        .arg("--data-dir")
        .arg(serving.dir.join(format!("instance-{n}")))
        .arg("--database-url")
        .arg(database_url)
        .arg("--dist")
        .arg(serving.dist)
        .arg("--examples")
        .arg(serving.examples)
        .env("CHECKOUT_METRICS_LISTEN", &metrics)
        // Every request comes through nginx: the rate limit counts the payers, not nginx.
        .env("CHECKOUT_TRUST_FORWARDED_FOR", "true")
        // Each instance prints its own address; the demo prints the balancer's.
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", serving.server.display()))?;
    Ok(Instance {
        child,
        listen,
        metrics,
    })
}

impl PostgresDemo {
    /// The lines the demo prints under its usual ones.
    pub fn describe(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "  Load balancer:        nginx, round robin over {} instances",
            self.instances.len()
        )];
        for (n, instance) in self.instances.iter().enumerate() {
            lines.push(format!(
                "  Instance {}:           http://{} (metrics http://{}/metrics)",
                n + 1,
                instance.listen,
                instance.metrics
            ));
        }
        lines.push(format!(
            "  Database:             {} (thrown away when the demo stops)",
            self.postgres.url()
        ));
        lines
    }

    /// Waits until `stop` turns true or nginx or an instance exits; the caller then drops the
    /// demo, which stops the rest. An exit that was not asked for is an error.
    pub fn wait(&mut self, stop: &AtomicBool) -> Result<(), String> {
        loop {
            if stop.load(Ordering::Relaxed) {
                return Ok(());
            }
            if let Some(exited) = self.exited() {
                // Ctrl-C reaches the whole process group: the children may notice first.
                std::thread::sleep(Duration::from_millis(200));
                return match stop.load(Ordering::Relaxed) {
                    true => Ok(()),
                    false => Err(exited),
                };
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Which process has exited, if one has.
    fn exited(&mut self) -> Option<String> {
        if let Some(Ok(Some(status))) = self.nginx.as_mut().map(Child::try_wait) {
            return Some(format!("nginx exited: {status}"));
        }
        self.instances
            .iter_mut()
            .enumerate()
            .find_map(|(n, i)| match i.child.try_wait() {
                Ok(Some(status)) => Some(format!("instance {} exited: {status}", n + 1)),
                _ => None,
            })
    }
}

/// A flag that Ctrl-C (SIGINT) and SIGTERM turn true instead of ending this process, so that
/// what the demo started is stopped, PostgreSQL included (`pg_ctl` puts it in a session of its
/// own, out of reach of the terminal's Ctrl-C).
pub fn stop_on_signals() -> Result<Arc<AtomicBool>, String> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, stop.clone()).map_err(|e| e.to_string())?;
    }
    Ok(stop)
}

fn port_of(listen: &str) -> u16 {
    listen
        .rsplit_once(':')
        .and_then(|(_, port)| port.parse().ok())
        .unwrap_or(0)
}

/// Where the demo keeps the instances' data directories and nginx's files.
pub fn dir(root: &Path) -> PathBuf {
    root.join("target").join("demo-postgres")
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// One HTTP/1.1 request on a fresh connection; the status and the body.
    fn http(addr: &str, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let mut stream = std::net::TcpStream::connect(addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let extra = match body {
            Some(b) => format!(
                "Authorization: Bearer {}\r\nContent-Type: application/json\r\n\
                 Content-Length: {}\r\n",
                "sk_demo_change_me",
                b.len()
            ),
            None => String::new(),
        };
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\n{extra}Connection: close\r\n\r\n{}",
            body.unwrap_or("")
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        let status = answer.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
        let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned());
        (status, body.unwrap_or_default())
    }

    /// Successful answers an instance's `/metrics` counts for `route` (its matched path).
    fn answered(metrics: &str, route: &str) -> u64 {
        metrics
            .lines()
            .filter(|l| l.starts_with("checkout_http_request_duration_seconds_count{"))
            .filter(|l| l.contains(&format!("route=\"{route}\"")) && l.contains("status=\"2xx\""))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    }

    /// The whole demo against real PostgreSQL, server instances and nginx (all three installed
    /// by `cargo xtask test`): a page and a checkout asked for through the balancer are each
    /// answered by both instances, which share the checkout through the database; dropping the
    /// demo stops every process.
    #[test]
    fn two_instances_on_postgres_answer_in_turn_behind_nginx_and_stop_with_the_demo() {
        let server = crate::demo::build_server("dev").unwrap();
        let scratch = std::env::temp_dir().join(format!("xtask-pg-demo-{}", std::process::id()));
        let dist = scratch.join("dist");
        std::fs::create_dir_all(&dist).unwrap();
        let listen = format!("127.0.0.1:{}", free_port().unwrap());
        let serving = Serving {
            server: &server,
            dist: &dist,
            examples: &crate::root().join("examples"),
            dir: &scratch.join("demo"),
        };
        let demo = start(&serving, &listen).unwrap();
        for _ in 0..INSTANCES {
            assert_eq!(http(&listen, "GET", "/examples/", None).0, 200);
        }
        let order = r#"{"name":"Blue mug","type":"FIXED_PRICE","fixedAmount":{"amount":"25.00","currency":"USD"}}"#;
        let (status, created) = http(&listen, "POST", "/api/v1/checkouts", Some(order));
        assert_eq!(status, 201, "{created}");
        let id = created
            .split("\"id\":\"")
            .nth(1)
            .and_then(|r| r.split('"').next());
        let id = id.expect("an id in the answer");
        for _ in 0..INSTANCES {
            let (status, body) = http(
                &listen,
                "GET",
                &format!("/api/v1/public/checkouts/{id}"),
                None,
            );
            assert_eq!(status, 200, "{body}");
            assert!(body.contains(id), "{body}");
        }
        for (n, instance) in demo.instances.iter().enumerate() {
            let (_, metrics) = http(&instance.metrics, "GET", "/metrics", None);
            assert!(
                answered(&metrics, "/examples/") > 0,
                "instance {n}: {metrics}"
            );
            let checkout = answered(&metrics, "/api/v1/public/checkouts/{id}");
            assert!(checkout > 0, "instance {n} served no checkout: {metrics}");
        }
        let mut addresses: Vec<String> = demo.instances.iter().map(|i| i.listen.clone()).collect();
        addresses.push(listen);
        addresses.push(
            demo.postgres
                .url()
                .replace("postgres://postgres@", "")
                .replace("/postgres", ""),
        );
        drop(demo);
        for address in addresses {
            assert!(
                std::net::TcpStream::connect(&address).is_err(),
                "{address} still answers"
            );
        }
        let _ = std::fs::remove_dir_all(scratch);
    }
}
