//! The demo's two reusable widgets (`demo = true`), created once at start-up: what the example
//! pages embed.

use protocol::{Amount, CheckoutType, Money};

use super::widgets::{self, NewWidget};
use crate::domain::spec::{PricingInput, TextInput};
use crate::error::AppResult;
use crate::state::AppState;

/// `NO_PRICE`, USD 1 to 10000.
pub const DEMO_DONATION_KEY: &str = "5e1f0a3c-7d2b-4c8e-9a61-0d3b2f4e8c17";
/// `FIXED_PRICE`, 25.00 USD.
pub const DEMO_FIXED_KEY: &str = "8b6d2f40-3c1e-4a57-b9d8-61f0e2a4c935";

fn amount(text: &str) -> Amount {
    Amount::parse(text).expect("a literal amount")
}

fn demo_widgets() -> [NewWidget; 2] {
    let donation = NewWidget {
        idempotency_key: DEMO_DONATION_KEY.to_owned(),
        external_id: Some("demo-donation".to_owned()),
        text: TextInput {
            name: Some("Demo donation".to_owned()),
            description: Some(
                "Pay any amount from 1 to 10000 USD (sandbox: no real funds move)".to_owned(),
            ),
            ..TextInput::default()
        },
        pricing: PricingInput {
            checkout_type: Some(CheckoutType::NoPrice),
            amount_currency: Some("USD".to_owned()),
            min_amount: Some(amount("1")),
            max_amount: Some(amount("10000")),
            ..PricingInput::default()
        },
    };
    let order = NewWidget {
        idempotency_key: DEMO_FIXED_KEY.to_owned(),
        external_id: Some("demo-order".to_owned()),
        text: TextInput {
            name: Some("Demo order".to_owned()),
            description: Some("A 25.00 USD order (sandbox: no real funds move)".to_owned()),
            ..TextInput::default()
        },
        pricing: PricingInput {
            checkout_type: Some(CheckoutType::FixedPrice),
            fixed_amount: Some(Money {
                amount: amount("25.00"),
                currency: "USD".to_owned(),
            }),
            ..PricingInput::default()
        },
    };
    [donation, order]
}

/// Creates the demo widgets unless they exist (widget creation is idempotent on the key).
pub async fn seed(state: &AppState) -> AppResult<()> {
    for widget in demo_widgets() {
        widgets::create(state, widget).await?;
    }
    Ok(())
}
