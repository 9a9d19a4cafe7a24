//! Coins.ph's invoices onto our funds. Wallet transfers settle at once: what Coins.ph counts
//! as received is final.

use anyhow::anyhow;
use protocol::Amount;

use super::model::{Invoice, PaymentRequestBody};
use crate::domain::payment::payment_page_url;
use crate::domain::state_machine::Funds;
use crate::providers::decimal::ceil_to_scale;
use crate::providers::failure::Declined;
use crate::providers::funds::{judged_by_provider, received_units};
use crate::providers::InvoiceSnapshot;

pub fn snapshot(invoice: &Invoice, reference: &str, decimals: u8) -> InvoiceSnapshot {
    let received = received_units(invoice.amount_received, decimals);
    let state = invoice.status.clone().unwrap_or_else(|| {
        let due = received_units(invoice.amount, decimals);
        match received {
            0 => "pending",
            r if r < due => "partially_paid",
            _ => "fully_paid",
        }
        .to_owned()
    });
    InvoiceSnapshot {
        provider_ref: reference.to_owned(),
        address: String::new(),
        funds: judged_by_provider(received, received, None),
        // Coins.ph's invoices end as `expired` (or `canceled`) when nobody paid in time.
        closed: matches!(state.as_str(), "expired" | "canceled" | "cancelled"),
        provider_state: state,
        amount: invoice.amount.and_then(|a| ceil_to_scale(a, decimals)),
        rate_expires_at_ms: None,
    }
}

/// A new payment request: tracked by its invoice, paid on its `payment_url`. Before a payer is
/// shown anything, the answer must be the request that was asked for: the same amount in the
/// same currency (a missing or different one is refused: the reading that cannot lose money),
/// and an `https` page.
pub fn created(
    request: PaymentRequestBody,
    asked: &Amount,
    currency: &str,
    decimals: u8,
) -> anyhow::Result<InvoiceSnapshot> {
    let invoice = request
        .invoice
        .filter(|i| !i.is_empty())
        .ok_or_else(|| anyhow!("coinsph: the payment request has no invoice"))?;
    let url = request
        .payment_url
        .ok_or_else(|| anyhow!("coinsph: the payment request has no payment_url"))?;
    let url = payment_page_url(&url)
        .ok_or_else(|| Declined("coinsph: the payment_url is not an https URL".into()))?;
    let amount = request.amount.and_then(|a| ceil_to_scale(a, decimals));
    if amount.map(|a| a.units()) != asked.with_scale(decimals).map(|a| a.units()) {
        return Err(Declined(format!(
            "coinsph: the payment request is not for the amount asked ({asked})"
        ))
        .into());
    }
    if !request
        .currency
        .is_some_and(|c| c.eq_ignore_ascii_case(currency))
    {
        return Err(Declined(format!("coinsph: the payment request is not in {currency}")).into());
    }
    Ok(InvoiceSnapshot {
        provider_ref: invoice,
        // The page, not an address: the server shows it as a link (see `Coin::paid_on_page`).
        address: url,
        funds: Funds::default(),
        provider_state: request.status.unwrap_or_else(|| "pending".to_owned()),
        amount,
        rate_expires_at_ms: None,
        closed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(amount: &str, currency: &str, url: &str) -> PaymentRequestBody {
        PaymentRequestBody {
            invoice: Some("inv1".into()),
            amount: Amount::parse(amount).ok(),
            currency: Some(currency.into()),
            payment_url: Some(url.into()),
            ..Default::default()
        }
    }

    #[test]
    fn only_the_request_asked_for_on_an_https_page_is_accepted() {
        let asked = Amount::parse("20.00").unwrap();
        let page = "https://coins.ph/payment/request/pr1";
        let ok = created(answer("20.00000000", "PHP", page), &asked, "PHP", 2).unwrap();
        assert_eq!(
            (ok.address.as_str(), ok.provider_ref.as_str()),
            (page, "inv1")
        );
        assert_eq!(ok.amount, Some(asked));
        for (amount, currency, url) in [
            ("2.00000000", "PHP", page),
            ("20.00000001", "PHP", page),
            ("20.00000000", "BTC", page),
            ("20.00000000", "PHP", "http://coins.ph/payment/request/pr1"),
            ("20.00000000", "PHP", "javascript:alert(1)"),
        ] {
            assert!(
                created(answer(amount, currency, url), &asked, "PHP", 2).is_err(),
                "{amount} {currency} {url}"
            );
        }
        let mut no_amount = answer("20", "PHP", page);
        no_amount.amount = None;
        assert!(created(no_amount, &asked, "PHP", 2).is_err());
    }
}
