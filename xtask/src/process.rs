//! Running commands with their output visible and their failures explained.

use std::path::Path;
use std::process::{Command, Stdio};

/// Runs `cmd` in the workspace root, streaming its output; an error names the command.
pub fn run(cmd: &mut Command) -> Result<(), String> {
    let shown = describe(cmd);
    eprintln!("$ {shown}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(crate::root());
    }
    let status = cmd
        .status()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{shown}` failed ({status})"))
    }
}

/// Runs `cmd`, streaming its output and also returning it, for commands whose output is counted
/// (test results). Returns (success, combined output).
pub fn run_captured(cmd: &mut Command) -> Result<(bool, String), String> {
    use std::io::{BufRead, BufReader};
    let shown = describe(cmd);
    eprintln!("$ {shown}");
    if cmd.get_current_dir().is_none() {
        cmd.current_dir(crate::root());
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start `{shown}`: {e}"))?;
    let stderr = child.stderr.take().expect("piped");
    // Echo stderr from its own thread so neither pipe can fill up and stall the child.
    let echo = std::thread::spawn(move || {
        let mut text = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            eprintln!("{line}");
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let mut out = String::new();
    for line in BufReader::new(child.stdout.take().expect("piped"))
        .lines()
        .map_while(Result::ok)
    {
        println!("{line}");
        out.push_str(&line);
        out.push('\n');
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    out.push_str(&echo.join().unwrap_or_default());
    Ok((status.success(), out))
}

/// The first line a command prints, or None when it cannot be run.
pub fn first_line(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .next()
        .map(|l| l.trim().to_owned())
}

pub fn exists(path: &str) -> bool {
    Path::new(path).exists()
}

fn describe(cmd: &Command) -> String {
    let mut parts = vec![cmd.get_program().to_string_lossy().into_owned()];
    parts.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    parts.join(" ")
}
