//! The value types settings are written in: secrets that never print, durations (`150ms`,
//! `2s`, `15m`, `1h`, `7d`) and percentages as decimal strings (`"99.5"`, never floats).

use std::time::Duration;

use anyhow::{bail, Context};
use protocol::Amount;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer};

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

/// `"99.5"` percent into basis points (9950).
pub fn percent_to_bp(key: &str, text: &str) -> anyhow::Result<u32> {
    let amount = Amount::parse(text).with_context(|| format!("{key} must be a decimal string"))?;
    let bp = amount
        .units_at(2)
        .with_context(|| format!("{key} accepts at most two decimal places"))?;
    u32::try_from(bp)
        .ok()
        .filter(|bp| *bp <= 1_000_000)
        .with_context(|| format!("{key} is out of range"))
}

/// A switch given in the environment: `1`, `true` or `yes` turn it on, anything else off.
pub fn is_yes(value: &str) -> bool {
    matches!(value, "1" | "true" | "yes")
}

/// Reads text and converts it, the conversion's whole error chain becoming the message.
fn converted<'de, D, T>(d: D, convert: impl Fn(&str) -> anyhow::Result<T>) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let text = String::deserialize(d)?;
    convert(&text).map_err(|e| D::Error::custom(format!("{e:#}")))
}

/// `#[serde(deserialize_with = "duration")]`: a duration written as text.
pub fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    converted(d, parse_duration)
}

/// A duration kept in milliseconds, as the state machine counts time.
pub fn duration_ms<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    converted(d, |t| Ok(i64::try_from(parse_duration(t)?.as_millis())?))
}

/// A percentage written as a decimal string, kept in basis points.
pub fn percent_bp<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    converted(d, |t| percent_to_bp("the percentage", t))
}
