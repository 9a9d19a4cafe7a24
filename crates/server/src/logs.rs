//! Where log lines go and how they look: stderr (stdout carries the `listening on` line and the
//! client commands' JSON), filtered by `RUST_LOG` (default `info`), as text or one JSON object
//! per line for a log collector.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the process's log writer; call once, before anything logs.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let logs = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => logs.init(),
        // The event's fields at the top level and the request's span (method, route) beside
        // them, so a collector indexes them without parsing the message.
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
}
