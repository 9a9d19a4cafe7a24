//! A quote from a table of rates the operator wrote (the sandbox's, the EVM provider's
//! `[evm.rates]`): providers that ask no price service.

use super::Quote;
use crate::config::Rates;
use crate::domain::currency::Coin;

/// `rates[coin][fiat]`, held for `valid_for`; an error naming `table` when it is missing or zero.
pub fn quote(
    rates: &Rates,
    coin: &Coin,
    fiat: &str,
    valid_for: std::time::Duration,
    table: &str,
) -> anyhow::Result<Option<Quote>> {
    let rate = rates
        .get(coin.code)
        .and_then(|per_fiat| per_fiat.get(&fiat.to_ascii_uppercase()))
        .copied()
        .filter(|r| !r.is_zero())
        .ok_or_else(|| anyhow::anyhow!("{table} has no {}/{fiat} rate", coin.code))?;
    Ok(Some(Quote { rate, valid_for }))
}
