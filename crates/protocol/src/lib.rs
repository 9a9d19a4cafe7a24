//! The wire contract between the checkout widget (wasm32) and its companion server (native).
//!
//! Everything that crosses the network between the two is defined here exactly once, so the two
//! sides cannot drift apart. The crate does no I/O and has a single dependency (serde), because
//! every byte it adds is downloaded by every payer.
//!
//! Conventions on the wire: JSON with camelCase field names, enums in SCREAMING_SNAKE_CASE,
//! amounts as decimal strings (never JSON numbers, never floats), timestamps as RFC 3339 strings.

pub mod amount;
pub mod api;
pub mod checkout;
pub mod contact;
pub mod currency;
pub mod error;
pub mod event;
pub mod merchant;
pub mod qr;
pub mod status;

pub use amount::{Amount, AmountError};
pub use checkout::{
    CheckoutType, CheckoutView, Money, PaymentView, PickCurrencyRequest, StatusView, TestAction,
    TestActionRequest,
};
pub use contact::{parse_payer_contact, ContactKind, PayerContact};
pub use currency::CurrencyOption;
pub use error::{ErrorBody, ErrorDetail};
pub use event::StatusChangedDetail;
pub use qr::QrMatrix;
pub use status::{CheckoutStatus, Exception};
