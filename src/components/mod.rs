//! The widget's views. They stay thin: decisions live in [`crate::state`], words in
//! [`crate::i18n`], numbers in [`crate::format`]. Each is public so the browser tests can mount
//! it alone with a fixture checkout.

pub mod amount;
pub mod app;
pub mod choose;
pub mod contact;
pub mod copy;
pub mod countdown;
pub mod currencies;
pub mod feedback;
pub mod header;
pub mod icons;
pub mod journey;
pub mod outcome;
pub mod pay;
pub mod processing;
pub mod qr;
pub mod session;
pub mod test_panel;

pub use app::App;
