//! Typed configuration: embedded defaults, then an optional TOML file, then environment
//! variables, then command-line flags, each overriding the one before.
//!
//! Every key is declared once, on the serde type that holds it; `CHECKOUT_*` variables are
//! laid over the file's keys ([`env`]) and the whole is read in one pass. Unknown keys are
//! refused (a typo must not pass silently). This module is a leaf: features read their
//! settings from it, and it knows none of them.

mod env;
mod evm;
mod limits;
mod notify;
mod payments;
mod provider_section;
mod providers;
mod reconcile;
mod sandbox;
mod values;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use serde::{Deserialize, Deserializer};

pub use self::evm::{ChainConfig, EvmConfig, NativeCoin, TokenConfig};
pub use self::limits::LimitsConfig;
pub use self::notify::{Backoff, NotifyConfig};
pub use self::payments::Policy;
pub use self::provider_section::{
    HttpSettings, InqudAuth, ProviderKind, ProviderSettings, Section,
};
pub use self::providers::{CalypsoConfig, CoinsphConfig, InqudConfig};
pub use self::reconcile::ReconcileConfig;
pub use self::sandbox::{Rates, SandboxConfig};
pub use self::values::{parse_duration, percent_to_bp, Secret};

use self::provider_section::provider_section;
use self::values::duration;

/// The merchant key used when none is configured. The server warns loudly when it is in use.
pub const DEMO_MERCHANT_KEY: &str = "sk_demo_change_me";

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// `postgres://…`: the checkouts live in that PostgreSQL database instead of the SQLite file
    /// in `data_dir`. A secret: the URL may hold the database's password.
    pub database_url: Option<Secret>,
    /// The built widget, served under /widget/.
    pub dist: Option<PathBuf>,
    /// Demo merchant pages, served under /examples/.
    pub examples: Option<PathBuf>,
    /// Seeded demo widgets, and the demo merchant key accepted for the sandbox.
    pub demo: bool,
    /// How this server is reached from outside (`https://pay.example`): the base of the webhook
    /// URLs to register with providers (logged at start-up), and where the sandbox posts its
    /// webhooks unless `sandbox.webhook_url` says otherwise (without either, its own loopback
    /// address).
    pub public_url: Option<String>,
    pub merchant_api_key: Secret,
    /// Origins allowed to call the public API from a browser (ignored with `demo`).
    pub cors_origins: Vec<String>,
    pub body_limit_bytes: usize,
    /// Lifetime of a checkout when the request gives no `expiresAt`, and the longest allowed.
    #[serde(deserialize_with = "duration")]
    pub checkout_ttl: Duration,
    #[serde(deserialize_with = "duration")]
    pub max_checkout_ttl: Duration,
    /// Comment lines on idle live-status streams, so proxies keep them open.
    #[serde(deserialize_with = "duration")]
    pub heartbeat: Duration,
    /// How often the background task looks for checkouts to expire.
    #[serde(deserialize_with = "duration")]
    pub expiry_sweep: Duration,
    /// `[payments]`.
    #[serde(rename = "payments")]
    pub policy: Policy,
    /// Confirmations required per network, overriding the catalogue's defaults.
    #[serde(deserialize_with = "upper_case_keys")]
    pub confirmations: BTreeMap<String, u32>,
    pub sandbox: SandboxConfig,
    /// The provider new payments are opened with, and the real providers' sections.
    pub provider: ProviderKind,
    #[serde(deserialize_with = "provider_section")]
    pub calypso: Option<CalypsoConfig>,
    #[serde(deserialize_with = "provider_section")]
    pub inqud: Option<InqudConfig>,
    #[serde(deserialize_with = "provider_section")]
    pub coinsph: Option<CoinsphConfig>,
    /// The chains the EVM provider watches itself (`[evm]`).
    pub evm: EvmConfig,
    /// Merchant notifications (`[notify]`).
    pub notify: NotifyConfig,
    /// Rate limits and timeouts (`[limits]`).
    pub limits: LimitsConfig,
    /// Re-reading open payments from their provider (`[reconcile]`).
    pub reconcile: ReconcileConfig,
    /// Mounts `GET /bench/baseline`, a fixed answer that touches no state, which `cargo xtask
    /// bench` loads next to the public status route to report their ratio. Off unless asked for
    /// (`bench_baseline = true`, `CHECKOUT_BENCH_BASELINE=1`); not part of the API.
    pub bench_baseline: bool,
    /// How log lines are written to stderr (`log_format`, `CHECKOUT_LOG_FORMAT`).
    pub log_format: LogFormat,
    /// Where `GET /metrics` (Prometheus) is served: a listener of its own, off the public one;
    /// none unless set (`metrics_listen`, `CHECKOUT_METRICS_LISTEN`).
    pub metrics_listen: Option<SocketAddr>,
}

/// `text` for people reading a terminal; `json` (one object per line) for log collectors.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".parse().expect("literal address"),
            data_dir: PathBuf::from("./data"),
            database_url: None,
            dist: None,
            examples: None,
            demo: false,
            public_url: None,
            merchant_api_key: Secret::new(DEMO_MERCHANT_KEY),
            cors_origins: Vec::new(),
            body_limit_bytes: 64 * 1024,
            checkout_ttl: Duration::from_secs(3600),
            max_checkout_ttl: Duration::from_secs(7 * 24 * 3600),
            heartbeat: Duration::from_secs(15),
            expiry_sweep: Duration::from_secs(5),
            policy: Policy::default(),
            confirmations: BTreeMap::new(),
            sandbox: SandboxConfig::default(),
            provider: ProviderKind::Sandbox,
            calypso: None,
            inqud: None,
            coinsph: None,
            evm: EvmConfig::default(),
            notify: NotifyConfig::default(),
            limits: LimitsConfig::default(),
            reconcile: ReconcileConfig::default(),
            bench_baseline: false,
            log_format: LogFormat::Text,
            metrics_listen: None,
        }
    }
}

/// The database the checkouts are kept in.
#[derive(Debug, Clone)]
pub enum Database {
    /// The SQLite file at this path (the default).
    Sqlite(PathBuf),
    /// The PostgreSQL database at this URL (`database_url`).
    Postgres(Secret),
}

/// Networks are matched in upper case, however the file writes them.
fn upper_case_keys<'de, D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, u32>, D::Error> {
    let written = BTreeMap::<String, u32>::deserialize(d)?;
    Ok(written
        .into_iter()
        .map(|(k, v)| (k.to_ascii_uppercase(), v))
        .collect())
}

/// Flags given on the command line (the last word).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<Secret>,
    pub dist: Option<PathBuf>,
    pub examples: Option<PathBuf>,
    pub demo: bool,
}

impl Config {
    /// Builds the configuration from the file (if any), the environment (`env` reads one
    /// variable; tests pass their own) and the command-line flags.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        flags: Overrides,
    ) -> anyhow::Result<Config> {
        let file = file
            .map(PathBuf::from)
            .or_else(|| env("CHECKOUT_CONFIG").map(PathBuf::from));
        let (mut tree, origin) = match &file {
            Some(path) => (
                read_file(path)?,
                format!("the configuration file {}", path.display()),
            ),
            None => (toml::Table::new(), "the configuration".to_owned()),
        };
        env::overlay(&mut tree, env)?;
        let mut config: Config = serde_path_to_error::deserialize(toml::Value::Table(tree))
            .with_context(|| format!("parsing {origin}"))?;
        config.apply_flags(flags);
        config.check()?;
        Ok(config)
    }

    fn apply_flags(&mut self, flags: Overrides) {
        if let Some(v) = flags.listen {
            self.listen = v;
        }
        if let Some(v) = flags.data_dir {
            self.data_dir = v;
        }
        if flags.database_url.is_some() {
            self.database_url = flags.database_url;
        }
        if flags.dist.is_some() {
            self.dist = flags.dist;
        }
        if flags.examples.is_some() {
            self.examples = flags.examples;
        }
        self.demo |= flags.demo;
    }

    /// What no single key can tell: the chosen provider is configured, notifications signed.
    fn check(&self) -> anyhow::Result<()> {
        let configured = match self.provider {
            ProviderKind::Sandbox => true,
            ProviderKind::Calypso => self.calypso.is_some(),
            ProviderKind::Inqud => self.inqud.is_some(),
            ProviderKind::Coinsph => self.coinsph.is_some(),
            ProviderKind::Evm => {
                self.evm.check()?;
                true
            }
        };
        if !configured {
            anyhow::bail!(
                "provider = {:?} needs its section in the configuration file (or its \
                 CHECKOUT_<PROVIDER>_* variables)",
                self.provider
            );
        }
        self.check_public_url()?;
        self.database()?;
        self.notify.validate()
    }

    fn check_public_url(&self) -> anyhow::Result<()> {
        let Some(url) = &self.public_url else {
            return Ok(());
        };
        let rest = url
            .strip_prefix("https://")
            .or_else(|| url.strip_prefix("http://"));
        match rest {
            Some(host) if !host.is_empty() && !url.contains(char::is_whitespace) => Ok(()),
            _ => anyhow::bail!(
                "public_url must be the http:// or https:// address this server is reached at, \
                 e.g. https://pay.example (got {url:?})"
            ),
        }
    }

    /// `<public_url>/webhooks/<provider>`: what to register with `provider`, once `public_url`
    /// is known.
    pub fn webhook_url(&self, provider: &str) -> Option<String> {
        let base = self.public_url.as_deref()?.trim_end_matches('/');
        Some(format!("{base}/webhooks/{provider}"))
    }

    /// Fails closed: outside the demo the merchant API needs a key of the operator's own, and a
    /// real provider (real money) never runs behind the published demo key, demo or not.
    /// Checked when the server starts (`crate::start`), so loading a configuration to inspect
    /// it still works.
    pub fn refuse_unsafe_keys(&self) -> anyhow::Result<()> {
        let key = self.merchant_api_key.expose().trim();
        let how = "set a long random secret as merchant_api_key in the configuration file or in \
                   CHECKOUT_MERCHANT_API_KEY";
        if key.is_empty() {
            anyhow::bail!("no merchant API key is configured: {how}");
        }
        if key != DEMO_MERCHANT_KEY {
            return Ok(());
        }
        if self.provider != ProviderKind::Sandbox {
            anyhow::bail!(
                "provider = {:?} takes real payments, and the merchant API key is the published \
                 demo key: anybody could create and resolve checkouts; {how}",
                self.provider
            );
        }
        if !self.demo {
            anyhow::bail!(
                "the merchant API key is the published demo key ({DEMO_MERCHANT_KEY}): anybody \
                 could create and resolve checkouts; {how}, or run the demo with --demo"
            );
        }
        Ok(())
    }

    /// The sandbox (its simulated chain, webhook endpoint and pay route) runs only when it is the
    /// provider new payments are opened with: the default, for the demo and the tests.
    pub fn sandbox_enabled(&self) -> bool {
        self.provider == ProviderKind::Sandbox
    }

    pub fn uses_demo_key(&self) -> bool {
        self.merchant_api_key.expose() == DEMO_MERCHANT_KEY
    }

    /// The SQLite file in `data_dir`: the checkout store's unless `database_url` names another
    /// database, and the sandbox ledger's and Calypso's stored keys' in any case.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("checkout.db")
    }

    /// Where the checkouts are stored. The error never shows the URL (it may hold a password).
    pub fn database(&self) -> anyhow::Result<Database> {
        let Some(url) = &self.database_url else {
            return Ok(Database::Sqlite(self.database_path()));
        };
        let text = url.expose();
        let postgres = ["postgres://", "postgresql://"]
            .iter()
            .any(|scheme| text.starts_with(scheme) && text.len() > scheme.len());
        if !postgres {
            anyhow::bail!(
                "database_url must be a PostgreSQL URL, postgres://user:password@host:port/database \
                 (leave it unset for the SQLite file in data_dir); the value given is not shown, \
                 it may hold a password"
            );
        }
        Ok(Database::Postgres(url.clone()))
    }
}

/// The file as a tree of keys, for the environment to be laid over.
fn read_file(path: &Path) -> anyhow::Result<toml::Table> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the configuration file {}", path.display()))?;
    toml::from_str(&text)
        .with_context(|| format!("parsing the configuration file {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("sk_live_abc");
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
        let c = Config::default();
        assert!(!format!("{c:?}").contains(DEMO_MERCHANT_KEY));
    }

    #[test]
    fn the_example_file_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("checkout.example.toml");
        let c = Config::load(Some(&path), &|_| None, Overrides::default()).unwrap();
        assert_eq!(c.cors_origins, ["https://shop.example"]);
        assert_eq!(c.policy.overpay_tolerance_bp, 50);
        assert_eq!(c.sandbox.block_interval, Duration::from_secs(2));
        assert_eq!(c.provider, ProviderKind::Sandbox);
        assert!(c.calypso.is_some() && c.inqud.is_some() && c.coinsph.is_some());
        assert_eq!(c.evm.chains.len(), 2);
        assert_eq!(c.evm.chains["POLYGON"].confirmations, 64);
        c.evm.check().unwrap();
        assert!(!c.uses_demo_key());
    }

    #[test]
    fn provider_sections_from_file_and_env() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            r#"
provider = "calypso"
[calypso]
base_url = "https://calypso.example/"
account = "acc-1"
api_key = "pk"
api_secret = "sk_file"
timeout = "3s"
retries = 4
[calypso.currencies]
"USDT/ETHEREUM" = "USDT_ERC20"
"#,
        )
        .unwrap();
        let env = |k: &str| match k {
            "CHECKOUT_CALYPSO_WEBHOOK_SECRET" => Some("whsec_from_env".to_owned()),
            "CHECKOUT_CALYPSO_BACKOFF" => Some("50ms".to_owned()),
            _ => None,
        };
        let c = Config::load(Some(&path), &env, Overrides::default()).unwrap();
        assert_eq!(c.provider, ProviderKind::Calypso);
        let cal = c.calypso.clone().unwrap();
        assert_eq!(cal.base_url, "https://calypso.example");
        assert_eq!(
            cal.webhook_secret.as_ref().map(Secret::expose),
            Some("whsec_from_env")
        );
        assert!(!cal.subscribe_on_start);
        assert_eq!(cal.http.timeout, Duration::from_secs(3));
        assert_eq!(cal.http.retries, 4);
        assert_eq!(cal.http.backoff, Duration::from_millis(50));
        assert_eq!(cal.currencies["USDT/ETHEREUM"], "USDT_ERC20");
        let printed = format!("{c:?}");
        assert!(!printed.contains("sk_file") && !printed.contains("whsec_from_env"));

        // The chosen provider must be configured, and a section must be complete.
        // Calypso's webhook keys may come from `calypso subscribe` instead.
        let c = Config::load(Some(&path), &|_| None, Overrides::default()).unwrap();
        assert!(c.calypso.unwrap().webhook_secret.is_none());
        let env = |k: &str| (k == "CHECKOUT_CALYPSO_ACCOUNT").then(String::new);
        let err = Config::load(Some(&path), &env, Overrides::default()).unwrap_err();
        assert!(format!("{err:#}").contains("needs account"), "{err:#}");
        let env = |k: &str| (k == "CHECKOUT_CALYPSO_SUBSCRIBE_ON_START").then(|| "1".to_owned());
        let c = Config::load(Some(&path), &env, Overrides::default()).unwrap();
        assert!(c.calypso.unwrap().subscribe_on_start);
        let env = |k: &str| (k == "CHECKOUT_PROVIDER").then(|| "inqud".to_owned());
        assert!(Config::load(None, &env, Overrides::default()).is_err());
        let env = |k: &str| (k == "CHECKOUT_PROVIDER").then(|| "paypal".to_owned());
        assert!(Config::load(None, &env, Overrides::default()).is_err());
    }

    #[test]
    fn durations_and_percentages() {
        assert_eq!(parse_duration("150ms").unwrap(), Duration::from_millis(150));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert!(parse_duration("15").is_err());
        assert!(parse_duration("1.5s").is_err());
        assert_eq!(percent_to_bp("x", "99.5").unwrap(), 9950);
        assert!(percent_to_bp("x", "0.001").is_err());
    }

    #[test]
    fn file_then_env_then_flags() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            r#"
listen = "127.0.0.1:9000"
merchant_api_key = "sk_file"
heartbeat = "5s"
[payments]
accept_share_percent = "99"
[confirmations]
bitcoin = 6
[sandbox.rates.BTC]
USD = "70000"
"#,
        )
        .unwrap();
        let env = |k: &str| (k == "CHECKOUT_MERCHANT_API_KEY").then(|| "sk_env".to_owned());
        let flags = Overrides {
            listen: Some("127.0.0.1:9001".parse().unwrap()),
            ..Default::default()
        };
        let c = Config::load(Some(&path), &env, flags).unwrap();
        assert_eq!(c.listen.port(), 9001);
        assert_eq!(c.merchant_api_key.expose(), "sk_env");
        assert_eq!(c.heartbeat, Duration::from_secs(5));
        assert_eq!(c.policy.accept_share_bp, 9900);
        assert_eq!(c.confirmations["BITCOIN"], 6);
        assert_eq!(c.sandbox.rates["BTC"]["USD"].to_string(), "70000");
        assert_eq!(c.sandbox.rates["BTC"]["EUR"].to_string(), "55000.00");

        assert!(!c.bench_baseline);
        std::fs::write(&path, "bench_baseline = true").unwrap();
        let c = Config::load(Some(&path), &|_| None, Overrides::default()).unwrap();
        assert!(c.bench_baseline);
        let env = |k: &str| (k == "CHECKOUT_BENCH_BASELINE").then(|| "0".to_owned());
        let c = Config::load(Some(&path), &env, Overrides::default()).unwrap();
        assert!(!c.bench_baseline, "the environment overrides the file");
        let env = |k: &str| (k == "CHECKOUT_BENCH_BASELINE").then(|| "1".to_owned());
        assert!(
            Config::load(None, &env, Overrides::default())
                .unwrap()
                .bench_baseline
        );

        std::fs::write(&path, "listn = \"x\"").unwrap();
        let err = Config::load(Some(&path), &|_| None, Overrides::default()).unwrap_err();
        assert!(format!("{err:#}").contains("listn"));
    }

    #[test]
    fn the_demo_key_or_no_key_is_refused_outside_the_demo_and_with_any_real_provider() {
        let refusal = |c: &Config| c.refuse_unsafe_keys().unwrap_err().to_string();
        let default = Config::default();
        assert!(refusal(&default).contains("CHECKOUT_MERCHANT_API_KEY"));
        assert!(refusal(&default).contains("--demo"));
        let demo = Config {
            demo: true,
            ..Config::default()
        };
        demo.refuse_unsafe_keys().unwrap();
        let real = Config {
            demo: true,
            provider: ProviderKind::Calypso,
            ..Config::default()
        };
        assert!(refusal(&real).contains("real payments"));
        let empty = Config {
            merchant_api_key: Secret::new("  "),
            demo: true,
            ..Config::default()
        };
        assert!(refusal(&empty).contains("no merchant API key"));
        let own = Config {
            merchant_api_key: Secret::new("sk_live_0123456789"),
            ..Config::default()
        };
        own.refuse_unsafe_keys().unwrap();
    }

    #[test]
    fn database_url_selects_postgres_stays_secret_and_a_bad_one_is_refused_without_showing_it() {
        let c = Config::load(None, &|_| None, Overrides::default()).unwrap();
        assert!(matches!(c.database().unwrap(), Database::Sqlite(p) if p.ends_with("checkout.db")));
        let url = "postgres://shop:pw_s3cret@db.internal:5432/checkout";
        let env = |k: &str| (k == "CHECKOUT_DATABASE_URL").then(|| url.to_owned());
        let c = Config::load(None, &env, Overrides::default()).unwrap();
        assert!(matches!(c.database().unwrap(), Database::Postgres(u) if u.expose() == url));
        assert!(!format!("{c:?} {:?}", c.database().unwrap()).contains("pw_s3cret"));
        // The flag wins over the variable; an empty variable means SQLite.
        let flags = Overrides {
            database_url: Some(Secret::new("postgresql://other/db")),
            ..Default::default()
        };
        let c = Config::load(None, &env, flags).unwrap();
        assert_eq!(c.database_url.unwrap().expose(), "postgresql://other/db");
        let empty = |k: &str| (k == "CHECKOUT_DATABASE_URL").then(String::new);
        assert!(Config::load(None, &empty, Overrides::default())
            .unwrap()
            .database_url
            .is_none());
        for bad in [
            "mysql://u:pw_s3cret@h/db",
            "postgres://",
            "host=h password=pw_s3cret",
        ] {
            let env = |k: &str| (k == "CHECKOUT_DATABASE_URL").then(|| bad.to_owned());
            let err = format!(
                "{:#}",
                Config::load(None, &env, Overrides::default()).unwrap_err()
            );
            assert!(
                err.contains("database_url must be a PostgreSQL URL"),
                "{err}"
            );
            assert!(!err.contains("pw_s3cret"), "{err}");
        }
    }

    #[test]
    fn public_url_must_be_a_web_address_and_gives_the_webhook_urls() {
        let with = |url: &str| Config {
            public_url: Some(url.to_owned()),
            ..Config::default()
        };
        assert_eq!(
            with("https://pay.example/")
                .webhook_url("calypso")
                .as_deref(),
            Some("https://pay.example/webhooks/calypso")
        );
        assert_eq!(Config::default().webhook_url("calypso"), None);
        with("https://pay.example").check_public_url().unwrap();
        for bad in [
            "pay.example",
            "ftp://pay.example",
            "https://",
            "https://pay example",
        ] {
            let err = with(bad).check_public_url().unwrap_err().to_string();
            assert!(err.contains("public_url"), "{bad}: {err}");
        }
    }
}
