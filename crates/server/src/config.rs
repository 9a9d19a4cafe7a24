//! Typed configuration: embedded defaults, then an optional TOML file, then environment
//! variables, then command-line flags, each overriding the one before.
//!
//! Secrets are [`Secret`]s, which never print. Durations are written like `150ms`, `2s`, `15m`,
//! `1h`, `7d`; percentages as decimal strings (`"99.5"`), never floats.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Context};
use protocol::Amount;
use serde::Deserialize;

use crate::domain::state_machine::Policy;
use crate::providers::calypso::CalypsoConfig;
use crate::providers::coinsph::CoinsphConfig;
use crate::providers::inqud::InqudConfig;
use crate::providers::settings::Section;

/// The merchant key used when none is configured. The server warns loudly when it is in use.
pub const DEMO_MERCHANT_KEY: &str = "sk_demo_change_me";

/// A value that must never reach a log, an error message or a response.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The only way to read it; grep for `expose` to audit every use.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Debug, Clone)]
pub struct SandboxConfig {
    /// Addresses are derived from it; the same seed gives the same address for a payment id.
    pub seed: Secret,
    /// Signs the sandbox's webhooks to this server.
    pub webhook_secret: Secret,
    /// Time between simulated blocks; each block adds one confirmation.
    pub block_interval: Duration,
    /// How long a quoted amount is guaranteed.
    pub rate_lock: Duration,
    /// Fiat per coin: `rates["BTC"]["USD"]`.
    pub rates: BTreeMap<String, BTreeMap<String, Amount>>,
    /// Where the sandbox posts its webhooks; defaults to this server's own endpoint.
    pub webhook_url: Option<String>,
}

/// Which provider opens new payments (`provider = "…"`, `CHECKOUT_PROVIDER`). Payments already
/// opened with another configured provider keep being followed through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProviderKind {
    #[default]
    Sandbox,
    Calypso,
    Inqud,
    Coinsph,
}

impl ProviderKind {
    pub fn parse(text: &str) -> anyhow::Result<ProviderKind> {
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "sandbox" => ProviderKind::Sandbox,
            "calypso" => ProviderKind::Calypso,
            "inqud" => ProviderKind::Inqud,
            "coinsph" | "coins.ph" => ProviderKind::Coinsph,
            other => bail!("provider {other:?} is not one of sandbox, calypso, inqud, coinsph"),
        })
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// The built widget, served under /widget/.
    pub dist: Option<PathBuf>,
    /// Demo merchant pages, served under /examples/.
    pub examples: Option<PathBuf>,
    /// Permissive CORS and seeded demo widgets.
    pub demo: bool,
    /// How this server is reached from outside; reserved for links in merchant notifications.
    /// (The sandbox posts to its own loopback address unless `sandbox.webhook_url` says otherwise.)
    pub public_url: Option<String>,
    pub merchant_api_key: Secret,
    /// Origins allowed to call the public API from a browser (ignored with `demo`).
    pub cors_origins: Vec<String>,
    pub body_limit_bytes: usize,
    /// Lifetime of a checkout when the request gives no `expiresAt`, and the longest allowed.
    pub checkout_ttl: Duration,
    pub max_checkout_ttl: Duration,
    /// Comment lines on idle live-status streams, so proxies keep them open.
    pub heartbeat: Duration,
    /// How often the background task looks for checkouts to expire.
    pub expiry_sweep: Duration,
    pub policy: Policy,
    /// Confirmations required per network, overriding the catalogue's defaults.
    pub confirmations: BTreeMap<String, u32>,
    pub sandbox: SandboxConfig,
    /// The provider new payments are opened with, and the real providers' sections.
    pub provider: ProviderKind,
    pub calypso: Option<CalypsoConfig>,
    pub inqud: Option<InqudConfig>,
    pub coinsph: Option<CoinsphConfig>,
    /// Merchant notifications (`[notify]`).
    pub notify: crate::notify::NotifyConfig,
    /// Rate limits and timeouts (`[limits]`).
    pub limits: crate::routes::limits::LimitsConfig,
    /// Mounts `GET /bench/baseline`, a fixed answer that touches no state, which `cargo xtask
    /// bench` loads next to the public status route to report their ratio. Off unless asked for
    /// (`bench_baseline = true`, `CHECKOUT_BENCH_BASELINE=1`); not part of the API.
    pub bench_baseline: bool,
}

fn default_rates() -> BTreeMap<String, BTreeMap<String, Amount>> {
    let table: [(&str, &str, &str); 6] = [
        ("BTC", "60000.00", "55000.00"),
        ("LTC", "80.00", "74.00"),
        ("ETH", "3000.00", "2760.00"),
        ("USDT", "1.0000", "0.9200"),
        ("USDC", "1.0000", "0.9200"),
        ("TRX", "0.120000", "0.110000"),
    ];
    table
        .into_iter()
        .map(|(coin, usd, eur)| {
            let per_fiat = [("USD", usd), ("EUR", eur)]
                .into_iter()
                .map(|(f, r)| (f.to_owned(), Amount::parse(r).expect("built-in rate")))
                .collect();
            (coin.to_owned(), per_fiat)
        })
        .collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".parse().expect("literal address"),
            data_dir: PathBuf::from("./data"),
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
            sandbox: SandboxConfig {
                seed: Secret::new("sandbox-demo-seed"),
                webhook_secret: Secret::new("whsec_sandbox_demo_change_me"),
                block_interval: Duration::from_secs(2),
                rate_lock: Duration::from_secs(15 * 60),
                rates: default_rates(),
                webhook_url: None,
            },
            provider: ProviderKind::Sandbox,
            calypso: None,
            inqud: None,
            coinsph: None,
            notify: Default::default(),
            limits: Default::default(),
            bench_baseline: false,
        }
    }
}

/// The TOML file; every key optional, unknown keys refused (a typo must not pass silently).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<SocketAddr>,
    data_dir: Option<PathBuf>,
    dist: Option<PathBuf>,
    examples: Option<PathBuf>,
    demo: Option<bool>,
    public_url: Option<String>,
    merchant_api_key: Option<Secret>,
    cors_origins: Option<Vec<String>>,
    body_limit_bytes: Option<usize>,
    checkout_ttl: Option<String>,
    max_checkout_ttl: Option<String>,
    heartbeat: Option<String>,
    expiry_sweep: Option<String>,
    payments: Option<FilePayments>,
    confirmations: Option<BTreeMap<String, u32>>,
    sandbox: Option<FileSandbox>,
    provider: Option<String>,
    calypso: Option<Section>,
    inqud: Option<Section>,
    coinsph: Option<Section>,
    notify: Option<crate::notify::config::FileNotify>,
    limits: Option<crate::routes::limits::FileLimits>,
    bench_baseline: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FilePayments {
    accept_share_percent: Option<String>,
    overpay_tolerance_percent: Option<String>,
    monitoring_window: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSandbox {
    seed: Option<Secret>,
    webhook_secret: Option<Secret>,
    block_interval: Option<String>,
    rate_lock: Option<String>,
    webhook_url: Option<String>,
    rates: Option<BTreeMap<String, BTreeMap<String, Amount>>>,
}

/// Flags given on the command line (the last word).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<SocketAddr>,
    pub data_dir: Option<PathBuf>,
    pub dist: Option<PathBuf>,
    pub examples: Option<PathBuf>,
    pub demo: bool,
}

/// `150ms`, `2s`, `15m`, `1h`, `7d`.
pub fn parse_duration(text: &str) -> anyhow::Result<Duration> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .with_context(|| format!("duration {text:?} needs a unit (ms, s, m, h, d)"))?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number
        .parse()
        .with_context(|| format!("duration {text:?} must start with a whole number"))?;
    let ms = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => bail!("duration {text:?} has an unknown unit; use ms, s, m, h or d"),
    };
    Ok(Duration::from_millis(n.saturating_mul(ms)))
}

/// A switch given in the environment: `1`, `true` or `yes` turn it on, anything else off.
fn is_yes(value: &str) -> bool {
    matches!(value, "1" | "true" | "yes")
}

/// `"99.5"` percent into basis points (9950).
fn percent_to_bp(key: &str, text: &str) -> anyhow::Result<u32> {
    let amount = Amount::parse(text).with_context(|| format!("{key} must be a decimal string"))?;
    let bp = amount
        .units_at(2)
        .with_context(|| format!("{key} accepts at most two decimal places"))?;
    u32::try_from(bp)
        .ok()
        .filter(|bp| *bp <= 1_000_000)
        .with_context(|| format!("{key} is out of range"))
}

impl Config {
    /// Builds the configuration from the file (if any), the environment (`env` reads one
    /// variable; tests pass their own) and the command-line flags.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        flags: Overrides,
    ) -> anyhow::Result<Config> {
        let mut c = Config::default();
        let mut sections: [Section; 3] = Default::default();
        let file = file
            .map(PathBuf::from)
            .or_else(|| env("CHECKOUT_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("reading the configuration file {}", path.display()))?;
            let mut parsed: FileConfig = toml::from_str(&text)
                .with_context(|| format!("parsing the configuration file {}", path.display()))?;
            if let Some(p) = parsed.provider.take() {
                c.provider = ProviderKind::parse(&p)?;
            }
            for (slot, section) in sections.iter_mut().zip([
                parsed.calypso.take(),
                parsed.inqud.take(),
                parsed.coinsph.take(),
            ]) {
                *slot = section.unwrap_or_default();
            }
            c.apply_file(parsed)?;
        }
        c.apply_env(env)?;
        c.apply_providers(sections, env)?;
        if let Some(v) = flags.listen {
            c.listen = v;
        }
        if let Some(v) = flags.data_dir {
            c.data_dir = v;
        }
        if flags.dist.is_some() {
            c.dist = flags.dist;
        }
        if flags.examples.is_some() {
            c.examples = flags.examples;
        }
        c.demo |= flags.demo;
        c.notify.validate()?;
        Ok(c)
    }

    fn apply_file(&mut self, f: FileConfig) -> anyhow::Result<()> {
        macro_rules! set {
            ($field:ident) => {
                if let Some(v) = f.$field {
                    self.$field = v;
                }
            };
        }
        set!(listen);
        set!(data_dir);
        set!(demo);
        set!(merchant_api_key);
        set!(cors_origins);
        set!(body_limit_bytes);
        set!(bench_baseline);
        self.dist = f.dist.or(self.dist.take());
        self.examples = f.examples.or(self.examples.take());
        self.public_url = f.public_url.or(self.public_url.take());
        for (slot, text, key) in [
            (&mut self.checkout_ttl, f.checkout_ttl, "checkout_ttl"),
            (
                &mut self.max_checkout_ttl,
                f.max_checkout_ttl,
                "max_checkout_ttl",
            ),
            (&mut self.heartbeat, f.heartbeat, "heartbeat"),
            (&mut self.expiry_sweep, f.expiry_sweep, "expiry_sweep"),
        ] {
            if let Some(text) = text {
                *slot = parse_duration(&text).with_context(|| key.to_owned())?;
            }
        }
        if let Some(p) = f.payments {
            if let Some(v) = p.accept_share_percent {
                self.policy.accept_share_bp = percent_to_bp("accept_share_percent", &v)?;
            }
            if let Some(v) = p.overpay_tolerance_percent {
                self.policy.overpay_tolerance_bp = percent_to_bp("overpay_tolerance_percent", &v)?;
            }
            if let Some(v) = p.monitoring_window {
                self.policy.monitoring_window_ms = parse_duration(&v)?.as_millis() as i64;
            }
        }
        if let Some(conf) = f.confirmations {
            self.confirmations = conf
                .into_iter()
                .map(|(k, v)| (k.to_ascii_uppercase(), v))
                .collect();
        }
        if let Some(n) = f.notify {
            self.notify.apply_file(n)?;
        }
        if let Some(l) = f.limits {
            self.limits.apply_file(l)?;
        }
        if let Some(s) = f.sandbox {
            if let Some(v) = s.seed {
                self.sandbox.seed = v;
            }
            if let Some(v) = s.webhook_secret {
                self.sandbox.webhook_secret = v;
            }
            if let Some(v) = s.block_interval {
                self.sandbox.block_interval = parse_duration(&v)?;
            }
            if let Some(v) = s.rate_lock {
                self.sandbox.rate_lock = parse_duration(&v)?;
            }
            self.sandbox.webhook_url = s.webhook_url.or(self.sandbox.webhook_url.take());
            if let Some(rates) = s.rates {
                for (coin, per_fiat) in rates {
                    let entry = self
                        .sandbox
                        .rates
                        .entry(coin.to_ascii_uppercase())
                        .or_default();
                    for (fiat, rate) in per_fiat {
                        entry.insert(fiat.to_ascii_uppercase(), rate);
                    }
                }
            }
        }
        Ok(())
    }

    fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
        if let Some(v) = env("CHECKOUT_LISTEN") {
            self.listen = v.parse().context("CHECKOUT_LISTEN must be host:port")?;
        }
        if let Some(v) = env("CHECKOUT_DATA_DIR") {
            self.data_dir = v.into();
        }
        if let Some(v) = env("CHECKOUT_DIST") {
            self.dist = Some(v.into());
        }
        if let Some(v) = env("CHECKOUT_EXAMPLES") {
            self.examples = Some(v.into());
        }
        if let Some(v) = env("CHECKOUT_DEMO") {
            self.demo = is_yes(&v);
        }
        if let Some(v) = env("CHECKOUT_BENCH_BASELINE") {
            self.bench_baseline = is_yes(&v);
        }
        if let Some(v) = env("CHECKOUT_PUBLIC_URL") {
            self.public_url = Some(v);
        }
        if let Some(v) = env("CHECKOUT_MERCHANT_API_KEY") {
            self.merchant_api_key = Secret::new(v);
        }
        if let Some(v) = env("CHECKOUT_CORS_ORIGINS") {
            self.cors_origins = v
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
        }
        if let Some(v) = env("CHECKOUT_HEARTBEAT") {
            self.heartbeat = parse_duration(&v).context("CHECKOUT_HEARTBEAT")?;
        }
        if let Some(v) = env("CHECKOUT_SANDBOX_SEED") {
            self.sandbox.seed = Secret::new(v);
        }
        if let Some(v) = env("CHECKOUT_SANDBOX_WEBHOOK_SECRET") {
            self.sandbox.webhook_secret = Secret::new(v);
        }
        if let Some(v) = env("CHECKOUT_SANDBOX_BLOCK_INTERVAL") {
            self.sandbox.block_interval =
                parse_duration(&v).context("CHECKOUT_SANDBOX_BLOCK_INTERVAL")?;
        }
        self.notify.apply_env(env)?;
        self.limits.apply_env(env)?;
        Ok(())
    }

    /// The provider sections (file, then `CHECKOUT_<PROVIDER>_<KEY>`), and a check that the
    /// chosen provider is configured.
    fn apply_providers(
        &mut self,
        mut sections: [Section; 3],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> anyhow::Result<()> {
        if let Some(v) = env("CHECKOUT_PROVIDER") {
            self.provider = ProviderKind::parse(&v).context("CHECKOUT_PROVIDER")?;
        }
        let [calypso, inqud, coinsph] = &mut sections;
        calypso.apply_env("CALYPSO", env);
        inqud.apply_env("INQUD", env);
        coinsph.apply_env("COINSPH", env);
        self.calypso = CalypsoConfig::from_section(calypso)?;
        self.inqud = InqudConfig::from_section(inqud)?;
        self.coinsph = CoinsphConfig::from_section(coinsph)?;
        let configured = match self.provider {
            ProviderKind::Sandbox => true,
            ProviderKind::Calypso => self.calypso.is_some(),
            ProviderKind::Inqud => self.inqud.is_some(),
            ProviderKind::Coinsph => self.coinsph.is_some(),
        };
        if !configured {
            bail!(
                "provider = {:?} needs its section in the configuration file (or its \
                 CHECKOUT_<PROVIDER>_* variables)",
                self.provider
            );
        }
        Ok(())
    }

    pub fn uses_demo_key(&self) -> bool {
        self.merchant_api_key.expose() == DEMO_MERCHANT_KEY
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("checkout.db")
    }
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
        assert_eq!(cal.webhook_secret.expose(), "whsec_from_env");
        assert_eq!(cal.http.timeout, Duration::from_secs(3));
        assert_eq!(cal.http.retries, 4);
        assert_eq!(cal.http.backoff, Duration::from_millis(50));
        assert_eq!(cal.currencies["USDT/ETHEREUM"], "USDT_ERC20");
        let printed = format!("{c:?}");
        assert!(!printed.contains("sk_file") && !printed.contains("whsec_from_env"));

        // The chosen provider must be configured, and a section must be complete.
        let err = Config::load(Some(&path), &|_| None, Overrides::default()).unwrap_err();
        assert!(format!("{err:#}").contains("webhook_secret"), "{err:#}");
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
}
