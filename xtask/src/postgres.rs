//! A throw-away PostgreSQL server for the tests: the distribution's binaries (installed with
//! apt-get when missing, like Chromium), a cluster initialised in a temporary directory on a
//! free loopback port, and stopped and removed when the guard goes, whatever the tests did.
//!
//! `initdb` refuses to run as root, so as root the cluster belongs to the `postgres` user the
//! Debian package creates, and its commands run through `runuser`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::process::{first_line, run};

/// The running test server; stopped and deleted on drop.
pub struct TestPostgres {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    as_root: bool,
}

impl TestPostgres {
    /// Installs PostgreSQL if needed, then initialises and starts a cluster of its own.
    pub fn start() -> Result<TestPostgres, String> {
        let bin = ensure_binaries()?;
        let started = Instant::now();
        let as_root = first_line("id", &["-u"]).as_deref() == Some("0");
        let dir = fresh_dir()?;
        let server = TestPostgres {
            bin,
            dir,
            port: free_port()?,
            as_root,
        };
        // From here on the guard exists: a failure below still removes the directory.
        if as_root {
            run(Command::new("chown").arg("postgres").arg(&server.dir))?;
        }
        server.init_and_start()?;
        eprintln!(
            "xtask: PostgreSQL ({}) up on 127.0.0.1:{} in {} ms",
            server.bin.display(),
            server.port,
            started.elapsed().as_millis()
        );
        Ok(server)
    }

    /// The URL of its `postgres` database, for `CHECKOUT_TEST_POSTGRES`.
    pub fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    fn init_and_start(&self) -> Result<(), String> {
        let data = self.dir.join("data");
        self.as_owner("initdb")
            .arg("-D")
            .arg(&data)
            .args(["-A", "trust", "-U", "postgres", "--no-sync"])
            .output()
            .map_err(|e| format!("initdb: {e}"))
            .and_then(|out| {
                out.status.success().then_some(()).ok_or_else(|| {
                    format!("initdb failed: {}", String::from_utf8_lossy(&out.stderr))
                })
            })?;
        // Thrown away after the run: crash safety under test is the checkout server's (it is
        // the one killed), not PostgreSQL's, so the cluster skips flushing to disk. Each API
        // test's server may hold a pool of 16 connections, and tests run in parallel.
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c max_connections=400 \
             -c fsync=off -c full_page_writes=off",
            self.port,
            self.dir.display()
        );
        let started = self
            .as_owner("pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["-o", &options, "-l"])
            .arg(self.dir.join("log"))
            .args(["-w", "start"])
            .output()
            .map_err(|e| format!("pg_ctl start: {e}"))?;
        if !started.status.success() {
            let log = std::fs::read_to_string(self.dir.join("log")).unwrap_or_default();
            return Err(format!("PostgreSQL did not start:\n{log}"));
        }
        Ok(())
    }

    /// `program` from the PostgreSQL binaries, run as the cluster's owner.
    fn as_owner(&self, program: &str) -> Command {
        let path = self.bin.join(program);
        if self.as_root {
            let mut cmd = Command::new("runuser");
            cmd.args(["-u", "postgres", "--"]).arg(path);
            cmd
        } else {
            Command::new(path)
        }
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        let started = Instant::now();
        let _ = self
            .as_owner("pg_ctl")
            .arg("-D")
            .arg(self.dir.join("data"))
            .args(["-m", "fast", "-w", "stop"])
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
        eprintln!(
            "xtask: PostgreSQL stopped and removed in {} ms",
            started.elapsed().as_millis()
        );
    }
}

/// The newest `/usr/lib/postgresql/<version>/bin` (Debian's layout), installing the
/// distribution's `postgresql` package when there is none.
fn ensure_binaries() -> Result<PathBuf, String> {
    if let Some(bin) = newest_binaries(Path::new("/usr/lib/postgresql")) {
        return Ok(bin);
    }
    crate::apt::install(
        &["postgresql"],
        "the tests run the server on PostgreSQL too, and need its binaries",
    )?;
    newest_binaries(Path::new("/usr/lib/postgresql"))
        .ok_or_else(|| "postgresql is installed but /usr/lib/postgresql/*/bin is not".into())
}

fn newest_binaries(root: &Path) -> Option<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir(root)
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions.pop().map(|(_, bin)| bin)
}

fn fresh_dir() -> Result<PathBuf, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("xtask-postgres-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    Ok(dir)
}

/// A loopback port nobody listens on now.
pub fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::{newest_binaries, TestPostgres};

    #[test]
    fn a_test_server_listens_until_its_guard_goes_and_leaves_nothing_behind() {
        let server = TestPostgres::start().unwrap();
        let (dir, port) = (server.dir.clone(), server.port);
        assert!(server.url().ends_with(&format!(":{port}/postgres")));
        std::net::TcpStream::connect(("127.0.0.1", port)).expect("listening");
        drop(server);
        assert!(!dir.exists(), "{} removed", dir.display());
        assert!(
            std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
            "stopped"
        );
    }

    #[test]
    fn the_newest_version_with_an_initdb_is_chosen() {
        let root = std::env::temp_dir().join(format!("xtask-pg-test-{}", std::process::id()));
        for (version, with_initdb) in [("13", true), ("15", true), ("16", false), ("x", true)] {
            let bin = root.join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            if with_initdb {
                std::fs::write(bin.join("initdb"), "").unwrap();
            }
        }
        assert_eq!(newest_binaries(&root), Some(root.join("15").join("bin")));
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(newest_binaries(&root), None);
    }
}
