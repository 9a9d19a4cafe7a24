//! The widget's views. They stay thin: decisions live in [`crate::state`].

mod app;

pub use app::App;
