//! Journey 15: on the demo, a person pays a test checkout from the widget's own test controls,
//! as a wallet and the chain would, without touching the merchant API.

use e2e::steps::{fixed_price, PAID, WIDGET};
use e2e::Journey;

#[tokio::test]
async fn the_demo_is_paid_from_the_widgets_own_test_controls() {
    // Blocks only when the controls mine one.
    let env = [
        ("CHECKOUT_DEMO", "1"),
        ("CHECKOUT_SANDBOX_BLOCK_INTERVAL", "3600s"),
    ];
    let j = Journey::start(&env, "j15", &fixed_price("Demo mug", "25.00", "USD")).await;
    let result = async {
        j.open_and_choose().await?;
        j.pick("BTC", "BITCOIN").await?;
        j.expect_text(".test-badge").await?;
        j.browser.click(WIDGET, ".test-panel summary").await?;
        j.browser
            .click(WIDGET, "button[data-action=PAY_IN_FULL]")
            .await?;
        j.expect_screen("processing").await?;
        for _ in 0..6 {
            if j.browser.screen(WIDGET).await.as_deref() == Some("success") {
                break;
            }
            j.browser
                .click(WIDGET, "button[data-action=MINE_BLOCK]")
                .await?;
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        }
        j.expect_screen("success").await?;
        j.expect_statuses(&PAID).await
    }
    .await;
    j.finish("j15_demo_controls", result).await;
}
