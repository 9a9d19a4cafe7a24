use clap::Parser;
use tracing_subscriber::EnvFilter;

use checkout_server::cli::{Cli, Command};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Logs go to stderr: stdout carries the `listening on` line and the client commands' JSON.
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Command::Serve(args) => checkout_server::run(args.into_config()?).await,
        other => checkout_server::cli::run_client(other).await,
    }
}
