use clap::Parser;

use checkout_server::cli::{Cli, Command};
use checkout_server::config::LogFormat;
use checkout_server::logs;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => {
            // The configuration says how to log, so it is read first; its errors are printed
            // by `main`'s error return, which needs no logger.
            let config = args.into_config()?;
            logs::init(config.log_format);
            checkout_server::run(config).await
        }
        other => {
            logs::init(LogFormat::Text);
            checkout_server::cli::run_client(other).await
        }
    }
}
