//! The one place environment variables meet the configuration: each `CHECKOUT_*` variable is
//! laid over the file's key it stands for, before the whole is read once. Values are checked
//! here so that an error names the variable, not the key.

use std::net::SocketAddr;

use anyhow::Context;
use toml::{Table, Value};

use super::provider_section::ProviderKind;
use super::values::{is_yes, parse_duration};

/// How a variable's text becomes the key's value.
#[derive(Clone, Copy)]
enum Form {
    Text,
    /// Empty text removes the key (back to its default).
    TextOrUnset,
    /// `1`, `true` or `yes` is on, anything else off.
    Switch,
    Duration,
    /// Comma-separated; blanks dropped.
    List,
    Address,
    Provider,
    Count,
}

const VARIABLES: &[(&str, &str, Form)] = &[
    ("CHECKOUT_LISTEN", "listen", Form::Address),
    ("CHECKOUT_DATA_DIR", "data_dir", Form::Text),
    ("CHECKOUT_DATABASE_URL", "database_url", Form::TextOrUnset),
    ("CHECKOUT_DIST", "dist", Form::Text),
    ("CHECKOUT_EXAMPLES", "examples", Form::Text),
    ("CHECKOUT_DEMO", "demo", Form::Switch),
    ("CHECKOUT_BENCH_BASELINE", "bench_baseline", Form::Switch),
    ("CHECKOUT_LOG_FORMAT", "log_format", Form::Text),
    ("CHECKOUT_METRICS_LISTEN", "metrics_listen", Form::Address),
    ("CHECKOUT_PUBLIC_URL", "public_url", Form::Text),
    ("CHECKOUT_MERCHANT_API_KEY", "merchant_api_key", Form::Text),
    ("CHECKOUT_CORS_ORIGINS", "cors_origins", Form::List),
    ("CHECKOUT_HEARTBEAT", "heartbeat", Form::Duration),
    ("CHECKOUT_PROVIDER", "provider", Form::Provider),
    ("CHECKOUT_SANDBOX_SEED", "sandbox.seed", Form::Text),
    (
        "CHECKOUT_SANDBOX_WEBHOOK_SECRET",
        "sandbox.webhook_secret",
        Form::Text,
    ),
    (
        "CHECKOUT_SANDBOX_BLOCK_INTERVAL",
        "sandbox.block_interval",
        Form::Duration,
    ),
    ("CHECKOUT_NOTIFY_URL", "notify.url", Form::TextOrUnset),
    ("CHECKOUT_NOTIFY_SECRETS", "notify.secrets", Form::List),
    (
        "CHECKOUT_NOTIFY_POLL_INTERVAL",
        "notify.poll_interval",
        Form::Duration,
    ),
    ("CHECKOUT_NOTIFY_TIMEOUT", "notify.timeout", Form::Duration),
    (
        "CHECKOUT_NOTIFY_RETRY_BASE",
        "notify.retry_base",
        Form::Duration,
    ),
    ("CHECKOUT_RECONCILE_TICK", "reconcile.tick", Form::Duration),
    (
        "CHECKOUT_RECONCILE_WAITING",
        "reconcile.waiting",
        Form::Duration,
    ),
    (
        "CHECKOUT_RECONCILE_CONFIRMING",
        "reconcile.confirming",
        Form::Duration,
    ),
    (
        "CHECKOUT_REQUEST_TIMEOUT",
        "limits.request_timeout",
        Form::Duration,
    ),
    (
        "CHECKOUT_TRUST_FORWARDED_FOR",
        "limits.trust_forwarded_for",
        Form::Switch,
    ),
];

/// Every key of a provider's section, read from `CHECKOUT_<PROVIDER>_<KEY>`.
const SECTION_KEYS: &[(&str, Form)] = &[
    ("base_url", Form::Text),
    ("account", Form::Text),
    ("project_id", Form::Text),
    ("receiving_account", Form::Text),
    ("api_key", Form::Text),
    ("api_secret", Form::Text),
    ("webhook_secret", Form::Text),
    ("webhook_key", Form::Text),
    ("subscribe_on_start", Form::Switch),
    ("merchant_api_token", Form::Text),
    ("auth", Form::Text),
    ("timeout", Form::Duration),
    ("retries", Form::Count),
    ("backoff", Form::Duration),
];

/// Lays every variable `env` knows over `tree` (the file's keys, or none).
pub fn overlay(tree: &mut Table, env: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<()> {
    for (var, key, form) in VARIABLES {
        if let Some(text) = env(var) {
            set(tree, key, value(var, text, *form)?);
        }
    }
    for kind in ProviderKind::WITH_SECTIONS {
        for (key, form) in SECTION_KEYS {
            let section = kind.name();
            let var = format!("CHECKOUT_{}_{}", section, key).to_ascii_uppercase();
            if let Some(text) = env(&var) {
                set(tree, &format!("{section}.{key}"), value(&var, text, *form)?);
            }
        }
    }
    if let Some(text) = env("CHECKOUT_RATE_LIMIT") {
        rate_limit(tree, &text).context("CHECKOUT_RATE_LIMIT")?;
    }
    Ok(())
}

/// `<per second>/<burst>` (e.g. `20/100`), or only the rate; `0` turns the limit off.
fn rate_limit(tree: &mut Table, text: &str) -> anyhow::Result<()> {
    let (rate, burst) = text.split_once('/').unwrap_or((text, ""));
    let rate: u32 = rate.trim().parse()?;
    set(tree, "limits.public_per_second", Some(rate.into()));
    if !burst.is_empty() {
        let burst: u32 = burst.trim().parse()?;
        set(tree, "limits.public_burst", Some(burst.into()));
    }
    Ok(())
}

fn value(var: &str, text: String, form: Form) -> anyhow::Result<Option<Value>> {
    Ok(Some(match form {
        Form::Text => Value::String(text),
        Form::TextOrUnset if text.is_empty() => return Ok(None),
        Form::TextOrUnset => Value::String(text),
        Form::Switch => Value::Boolean(is_yes(&text)),
        Form::List => Value::Array(
            text.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| Value::String(s.to_owned()))
                .collect(),
        ),
        Form::Duration => {
            parse_duration(&text).context(var.to_owned())?;
            Value::String(text)
        }
        Form::Address => {
            text.parse::<SocketAddr>()
                .with_context(|| format!("{var} must be host:port"))?;
            Value::String(text)
        }
        Form::Provider => {
            ProviderKind::parse(&text).context(var.to_owned())?;
            Value::String(text)
        }
        Form::Count => {
            let n: u32 = text
                .trim()
                .parse()
                .with_context(|| format!("{var} must be a whole number"))?;
            Value::Integer(n.into())
        }
    }))
}

/// Sets (or, with `None`, removes) the key at a dotted path, making the tables on the way.
fn set(tree: &mut Table, path: &str, value: Option<Value>) {
    let (sections, key) = path.rsplit_once('.').map_or(("", path), |(s, k)| (s, k));
    let mut table = tree;
    for name in sections.split('.').filter(|s| !s.is_empty()) {
        let entry = table
            .entry(name)
            .or_insert_with(|| Value::Table(Table::new()));
        // A file value that is not a table is left for the reading to refuse.
        let Some(inner) = entry.as_table_mut() else {
            return;
        };
        table = inner;
    }
    match value {
        Some(v) => table.insert(key.to_owned(), v),
        None => table.remove(key),
    };
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::config::{Config, InqudAuth, Overrides};

    fn load(vars: &[(&str, &str)], file: Option<&str>) -> anyhow::Result<Config> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        if let Some(text) = file {
            std::fs::write(&path, text).unwrap();
        }
        let env = |k: &str| {
            vars.iter()
                .find(|(name, _)| *name == k)
                .map(|(_, v)| (*v).to_owned())
        };
        Config::load(file.map(|_| path.as_path()), &env, Overrides::default())
    }

    #[test]
    fn variables_override_their_keys() {
        let file = "[notify]\nurl = \"https://shop.example/hook\"\nsecrets = [\"s\"]\n\
                    retry_cap = \"1h\"\n[limits]\npublic_burst = 7\n";
        let c = load(
            &[
                ("CHECKOUT_NOTIFY_URL", ""),
                ("CHECKOUT_RATE_LIMIT", "5"),
                (
                    "CHECKOUT_CORS_ORIGINS",
                    " https://a.example, ,https://b.example",
                ),
                ("CHECKOUT_DEMO", "no"),
                ("CHECKOUT_INQUD_RETRIES", "40"),
            ],
            Some(file),
        )
        .unwrap();
        assert_eq!(c.notify.url, None, "an empty URL turns notifications off");
        assert_eq!(c.notify.backoff.cap, Duration::from_secs(3600));
        assert_eq!((c.limits.public_per_second, c.limits.public_burst), (5, 7));
        assert_eq!(c.cors_origins, ["https://a.example", "https://b.example"]);
        assert!(!c.demo);
        assert!(
            c.inqud.is_none(),
            "retries alone do not configure a provider"
        );
    }

    #[test]
    fn inqud_signing_is_token_unless_hmac_is_chosen() {
        let section = [
            ("CHECKOUT_INQUD_BASE_URL", "https://inqud.example"),
            ("CHECKOUT_INQUD_PROJECT_ID", "CAP-1"),
            ("CHECKOUT_INQUD_API_KEY", "id"),
            ("CHECKOUT_INQUD_API_SECRET", "secret"),
            ("CHECKOUT_INQUD_WEBHOOK_SECRET", "hook"),
        ];
        let auth = |extra: &[(&str, &str)]| {
            let vars: Vec<(&str, &str)> = section.iter().chain(extra).copied().collect();
            load(&vars, None).map(|c| c.inqud.unwrap().auth)
        };
        assert_eq!(auth(&[]).unwrap(), InqudAuth::Token);
        assert_eq!(
            auth(&[("CHECKOUT_INQUD_AUTH", "hmac")]).unwrap(),
            InqudAuth::Hmac
        );
        let file = "[inqud]\nbase_url = \"https://x\"\nproject_id = \"CAP-1\"\napi_key = \"i\"\n\
                    api_secret = \"s\"\nwebhook_secret = \"w\"\nauth = \"hmac\"\n";
        assert_eq!(
            load(&[], Some(file)).unwrap().inqud.unwrap().auth,
            InqudAuth::Hmac
        );
        let e = format!(
            "{:#}",
            auth(&[("CHECKOUT_INQUD_AUTH", "basic")]).unwrap_err()
        );
        assert!(e.contains("basic"), "{e}");
    }

    #[test]
    fn errors_name_the_variable_or_the_key() {
        let err = |vars: &[(&str, &str)], file: Option<&str>| {
            format!("{:#}", load(vars, file).unwrap_err())
        };
        assert!(err(&[("CHECKOUT_LISTEN", "nowhere")], None).contains("CHECKOUT_LISTEN"));
        assert!(err(&[("CHECKOUT_HEARTBEAT", "5")], None).contains("CHECKOUT_HEARTBEAT"));
        assert!(err(&[("CHECKOUT_RATE_LIMIT", "x/1")], None).contains("CHECKOUT_RATE_LIMIT"));
        let e = err(&[("CHECKOUT_CALYPSO_RETRIES", "two")], None);
        assert!(e.contains("CHECKOUT_CALYPSO_RETRIES"), "{e}");
        let e = err(&[], Some("[notify]\nretry_bse = \"1s\"\n"));
        assert!(e.contains("retry_bse"), "{e}");
        let e = err(
            &[],
            Some("[calypso]\nbase_url = \"https://x\"\ntimeot = \"1s\"\n"),
        );
        assert!(e.contains("timeot"), "{e}");
        let e = err(&[], Some("[limits]\nrequest_timeout = \"soon\"\n"));
        assert!(e.contains("limits.request_timeout"), "{e}");
        let e = err(&[], Some("[payments]\naccept_share_percent = \"99.123\"\n"));
        assert!(e.contains("accept_share_percent"), "{e}");
    }
}
