//! The widget's views. They stay thin: decisions live in [`crate::state`], words in
//! [`crate::i18n`], numbers in [`crate::format`].

mod app;
mod choose;
mod copy;
mod countdown;
mod feedback;
mod header;
mod outcome;
mod pay;
mod processing;
mod qr;

pub use app::App;
