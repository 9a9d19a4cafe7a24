//! Debian packages the tests and the bench need (Chromium, nginx, wrk), installed with apt-get
//! when missing. Only as root on Debian; anywhere else the error names the packages to install.

use std::process::Command;

use crate::process::{exists, first_line, run};

/// Debian's hook that asks before a package's service starts: with it answering "no" (101),
/// installing nginx does not start a system web server on port 80; the tests run their own.
const POLICY_RC_D: &str = "/usr/sbin/policy-rc.d";

/// Installs `packages` with apt-get, without starting any service they bring; where that is
/// impossible, an error that says `why` they are needed and how to install them.
pub fn install(packages: &[&str], why: &str) -> Result<(), String> {
    let debian = exists("/etc/debian_version");
    let root = first_line("id", &["-u"]).as_deref() == Some("0");
    if !(debian && root) {
        return Err(format!(
            "{why}; install them, e.g. on Debian: sudo apt-get install -y {}",
            packages.join(" ")
        ));
    }
    eprintln!("xtask: installing {} with apt-get", packages.join(" "));
    // Only a hook of our own is removed afterwards; an operator's stays as it was.
    let own_hook = !exists(POLICY_RC_D);
    if own_hook {
        std::fs::write(POLICY_RC_D, "#!/bin/sh\nexit 101\n")
            .and_then(|()| make_executable(POLICY_RC_D))
            .map_err(|e| format!("{POLICY_RC_D}: {e}"))?;
    }
    let installed = run(Command::new("apt-get").arg("update")).and_then(|()| {
        run(Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends"])
            .args(packages)
            .env("DEBIAN_FRONTEND", "noninteractive"))
    });
    if own_hook {
        let _ = std::fs::remove_file(POLICY_RC_D);
    }
    installed
}

fn make_executable(path: &str) -> std::io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
}
