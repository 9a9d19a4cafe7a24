//! The command line: `serve`, two small clients of a running server's merchant API
//! (`sandbox pay`, `checkout create`) for scripts and the demo, and `calypso subscribe`, which
//! sets up Calypso's webhooks in the database the server uses.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::{Args, Parser, Subcommand};
use merchant_client::{calls, Call, MerchantClient};
use serde_json::{json, Value};

use crate::config::{Config, Overrides};

#[derive(Debug, Parser)]
#[command(
    name = "checkout-server",
    version,
    about = "Companion server of the checkout widget"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API, the widget files and the demo pages.
    Serve(ServeArgs),
    /// The embedded sandbox provider.
    Sandbox {
        #[command(subcommand)]
        command: SandboxCommand,
    },
    /// Checkouts, through a running server's merchant API.
    Checkout {
        #[command(subcommand)]
        command: CheckoutCommand,
    },
    /// Setting up the Calypso provider.
    Calypso {
        #[command(subcommand)]
        command: CalypsoCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum CalypsoCommand {
    /// Subscribe <public_url>/webhooks/calypso to Calypso's invoice events and store the
    /// subscription's keys in the database (once: a second run changes nothing). Prints
    /// {"url", "created"} as JSON.
    Subscribe {
        /// TOML configuration file [env: CHECKOUT_CONFIG]
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [env: CHECKOUT_LISTEN] [default: 127.0.0.1:8080]
    #[arg(long)]
    pub listen: Option<SocketAddr>,
    /// Where checkout.db lives [env: CHECKOUT_DATA_DIR] [default: ./data]
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// A postgres:// URL: keep the checkouts in that PostgreSQL database instead of the SQLite
    /// file in the data directory. Prefer the variable: a flag shows in the process list
    /// [env: CHECKOUT_DATABASE_URL]
    #[arg(long)]
    pub database_url: Option<String>,
    /// TOML configuration file [env: CHECKOUT_CONFIG]
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The built widget, served under /widget/ [env: CHECKOUT_DIST]
    #[arg(long)]
    pub dist: Option<PathBuf>,
    /// Demo merchant pages, served under /examples/ [env: CHECKOUT_EXAMPLES]
    #[arg(long)]
    pub examples: Option<PathBuf>,
    /// Open CORS and seed the demo widgets [env: CHECKOUT_DEMO]
    #[arg(long)]
    pub demo: bool,
}

/// How the client commands reach the server.
#[derive(Debug, Args)]
pub struct ClientArgs {
    /// Base URL of the running server.
    #[arg(
        long,
        env = "CHECKOUT_SERVER_URL",
        default_value = "http://127.0.0.1:8080"
    )]
    pub server: String,
    /// Merchant API key; defaults to the one the configuration (file, then
    /// CHECKOUT_MERCHANT_API_KEY) gives.
    #[arg(long)]
    pub api_key: Option<String>,
    /// TOML configuration file to read the merchant key from [env: CHECKOUT_CONFIG]
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Send a simulated transaction to a sandbox payment's address (through the merchant API
    /// of the running server, so it follows the same path as the HTTP endpoint).
    Pay {
        /// `PAY-…`
        payment_id: String,
        /// In the payment's coin, e.g. 0.00041667
        amount: String,
        #[command(flatten)]
        client: ClientArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum CheckoutCommand {
    /// Create a checkout and print it as JSON.
    Create(CreateArgs),
}

#[derive(Debug, Args)]
pub struct CreateArgs {
    /// The whole request body as JSON (Inqud's field names); the flags below are ignored then.
    #[arg(long)]
    pub json: Option<String>,
    #[arg(long, default_value = "Order")]
    pub name: String,
    /// FIXED_PRICE, SUGGESTED_FIXED_PRICE or NO_PRICE.
    #[arg(long = "type", default_value = "FIXED_PRICE")]
    pub checkout_type: String,
    /// The price (FIXED_PRICE).
    #[arg(long)]
    pub amount: Option<String>,
    /// Currency of the price or of the payer's amount.
    #[arg(long, default_value = "USD")]
    pub currency: String,
    #[arg(long)]
    pub min: Option<String>,
    #[arg(long)]
    pub max: Option<String>,
    #[arg(long)]
    pub client_order_id: Option<String>,
    #[arg(long)]
    pub description: Option<String>,
    #[arg(long)]
    pub return_url: Option<String>,
    /// RFC 3339; default one hour from now.
    #[arg(long)]
    pub expires_at: Option<String>,
    #[command(flatten)]
    pub client: ClientArgs,
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

impl ServeArgs {
    pub fn into_config(self) -> anyhow::Result<Config> {
        Config::load(
            self.config.as_deref(),
            &env_var,
            Overrides {
                listen: self.listen,
                data_dir: self.data_dir,
                database_url: self.database_url.map(crate::config::Secret::new),
                dist: self.dist,
                examples: self.examples,
                demo: self.demo,
            },
        )
    }
}

impl CreateArgs {
    fn body(&self) -> anyhow::Result<Value> {
        if let Some(raw) = &self.json {
            return serde_json::from_str(raw).context("--json is not valid JSON");
        }
        let mut body = json!({ "name": self.name, "type": self.checkout_type });
        let fields = [
            ("clientOrderId", &self.client_order_id),
            ("description", &self.description),
            ("returnUrl", &self.return_url),
            ("expiresAt", &self.expires_at),
            ("minAmount", &self.min),
            ("maxAmount", &self.max),
        ];
        for (key, value) in fields {
            if let Some(v) = value {
                body[key] = json!(v);
            }
        }
        if self.checkout_type == "FIXED_PRICE" {
            let Some(amount) = &self.amount else {
                bail!("--amount is required for a FIXED_PRICE checkout");
            };
            body["fixedAmount"] = json!({ "amount": amount, "currency": self.currency });
        } else {
            body["amountCurrency"] = json!(self.currency);
        }
        Ok(body)
    }
}

/// The merchant client for `client`'s server and key (from the flag, else the configuration).
fn merchant_client(client: &ClientArgs) -> anyhow::Result<MerchantClient> {
    let key = match &client.api_key {
        Some(k) => k.clone(),
        None => Config::load(client.config.as_deref(), &env_var, Overrides::default())?
            .merchant_api_key
            .expose()
            .to_owned(),
    };
    Ok(MerchantClient::new(&client.server, &key))
}

/// Sends `call` and prints the answer as it came; fails on a non-2xx status.
async fn print_answer<T>(client: &ClientArgs, call: Call<T>) -> anyhow::Result<()> {
    let reply = match merchant_client(client)?.send(call).await {
        Ok(reply) => reply,
        Err(merchant_client::Error::Transport { url, source }) => {
            return Err(anyhow::Error::new(source)
                .context(format!("calling {url}; is the server running?")))
        }
        Err(other) => return Err(other.into()),
    };
    println!("{}", reply.text);
    if !reply.status.is_success() {
        bail!("the server answered {}", reply.status);
    }
    Ok(())
}

pub async fn run_client(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Serve(_) => bail!("serve is not a client command"),
        Command::Sandbox {
            command:
                SandboxCommand::Pay {
                    payment_id,
                    amount,
                    client,
                },
        } => print_answer(&client, calls::sandbox_pay(&payment_id, &amount)).await,
        Command::Checkout {
            command: CheckoutCommand::Create(args),
        } => print_answer(&args.client, calls::create_checkout(&args.body()?)).await,
        Command::Calypso {
            command: CalypsoCommand::Subscribe { config },
        } => {
            let config = Config::load(config.as_deref(), &env_var, Overrides::default())?;
            use crate::services::calypso_subscription::{key_store, subscribe};
            let done = subscribe(&config, key_store(&config, None).await?).await?;
            println!("{}", serde_json::to_string(&done)?);
            Ok(())
        }
    }
}
