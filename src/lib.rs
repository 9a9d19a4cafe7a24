//! `<app-widget>`: the crypto checkout a merchant embeds with one script tag.
//!
//! The crate is laid out the way data flows through it:
//! - [`element`]: the custom element glue — attributes in, one Leptos app per element, torn down
//!   with the element;
//! - [`api`]: the only code that talks to the server (fetch, JSON through the browser, abort),
//!   with [`wire`] reading and writing the server's JSON and [`server_url`] naming the server and
//!   the checkout's URL (the rule `widget.js` prefetches by);
//! - [`state`]: the widget's own view-state logic, plain Rust with native tests;
//! - [`live`]: following the checkout (server-sent events, polling, resync);
//! - [`resume`]: the checkout a payment link opened, remembered so a reload resumes it;
//! - [`i18n`], [`locale_files`] and [`format`]: words and numbers in the payer's language;
//! - [`events`]: the `statusChanged`, `ready` and `loadError` DOM events for the merchant's
//!   front end;
//! - [`components`]: thin Leptos views over that state;
//! - [`styles`]: the stylesheet adopted into each shadow root;
//! - [`timing`]: the start-up's marks on the page's performance timeline.
//!
//! `widget.js` (the loader a merchant references) imports the generated module and calls
//! [`define`] with the URL it was loaded from, which becomes the default `api-base`.

pub mod api;
pub mod components;
pub mod element;
pub mod events;
pub mod format;
pub mod i18n;
pub mod live;
pub mod locale_files;
pub mod resume;
pub mod server_url;
pub mod state;
pub mod styles;
pub mod timing;
pub mod wire;

use wasm_bindgen::prelude::*;

/// Registers `<app-widget>`. Called once by `widget.js`; calling it again is harmless.
/// `asset_base` is the URL of the directory `widget.js` was served from.
#[wasm_bindgen]
pub fn define(asset_base: String) {
    element::define(&asset_base);
}
