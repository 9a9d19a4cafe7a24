//! Journeys paid on a real chain: the EVM provider watching a local Ethereum node (anvil). The
//! payer's wallet is one of anvil's funded accounts; the widget follows the confirmations as
//! blocks are mined, and the host page and the merchant hear about it as with the sandbox.

use e2e::chain::{LocalChain, CONFIRMATIONS, NETWORK};
use e2e::steps::{fixed_price, PAID, WIDGET};
use e2e::Journey;
use merchant_client::calls;
use merchant_client::requests::DeliveryFilter;

async fn on_chain(chain: &LocalChain, page: &str, name: &str) -> Journey {
    let config = chain.config().to_str().unwrap().to_owned();
    let env = [("CHECKOUT_CONFIG", config.as_str())];
    Journey::start(&env, page, &fixed_price(name, "25.00", "USD")).await
}

/// The processing screen counts the confirmations towards the chain's number.
async fn shows_confirmations(j: &Journey) -> Result<(), String> {
    j.expect_screen("processing").await?;
    let confirmations = j.expect_text(".confirmations").await?;
    if !confirmations.contains(&format!("of {CONFIRMATIONS}")) {
        return Err(format!("confirmations shown as `{confirmations}`"));
    }
    Ok(())
}

/// The merchant was told of the success, with the coin paid.
async fn merchant_heard_success(j: &Journey, currency: &str) -> Result<(), String> {
    let filter = DeliveryFilter {
        checkout_id: Some(j.id.clone()),
        ..DeliveryFilter::default()
    };
    let page = j.ctx.merchant.call(calls::deliveries(&filter)).await;
    let success = page.items.iter().find(|d| {
        d.event_type == "checkout.status_changed" && d.payload.to_string().contains("\"SUCCESS\"")
    });
    match success {
        Some(d) if d.payload.to_string().contains(currency) => Ok(()),
        other => Err(format!("no SUCCESS notification in {currency}: {other:?}")),
    }
}

/// The payer picks ETH, changes their mind for USDT, and pays it from their wallet.
#[tokio::test]
async fn ether_then_usdt_on_a_local_chain() {
    let chain = LocalChain::start().await;
    let j = on_chain(&chain, "chain-usdt", "Blue T-shirt").await;
    let result = async {
        j.open_and_choose().await?;
        j.pick("ETH", NETWORK).await?;
        let ether = j.active_payment().await;
        if !ether.payment.wallet_uri.contains("@31337?value=") {
            return Err(format!("wallet URI {}", ether.payment.wallet_uri));
        }
        j.browser.click(WIDGET, "button[part=back]").await?;
        j.expect_screen("choose").await?;
        j.pick("USDT", NETWORK).await?;
        let usdt = j.active_payment().await;
        let shown = j.expect_text(".address").await?;
        if shown.replace(char::is_whitespace, "") != usdt.payment.address {
            return Err(format!("address shown `{shown}`"));
        }
        chain
            .send_token(
                &usdt.payment.address,
                usdt.payment.amount_units.parse().unwrap(),
            )
            .await;
        shows_confirmations(&j).await?;
        chain.mine(CONFIRMATIONS - 1).await;
        j.expect_screen("success").await?;
        j.expect_statuses(&PAID).await?;
        let last = j.browser.last_detail().await;
        if last["currency"] != "USDT" || last["network"] != NETWORK {
            return Err(format!("last event detail: {last}"));
        }
        merchant_heard_success(&j, "USDT").await
    }
    .await;
    j.finish("chain_usdt", result).await;
}

/// The payer pays ether in full from their wallet.
#[tokio::test]
async fn ether_paid_in_full_on_a_local_chain() {
    let chain = LocalChain::start().await;
    let j = on_chain(&chain, "chain-eth", "Green mug").await;
    let result = async {
        j.open_and_choose().await?;
        j.pick("ETH", NETWORK).await?;
        let ether = j.active_payment().await;
        chain
            .send_ether(
                &ether.payment.address,
                ether.payment.amount_units.parse().unwrap(),
            )
            .await;
        shows_confirmations(&j).await?;
        chain.mine(CONFIRMATIONS - 1).await;
        j.expect_screen("success").await?;
        j.expect_statuses(&PAID).await?;
        merchant_heard_success(&j, "ETH").await
    }
    .await;
    j.finish("chain_eth", result).await;
}
