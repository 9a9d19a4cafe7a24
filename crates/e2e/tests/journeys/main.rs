//! The payer journeys, end to end: a merchant page on one origin, the real server on another,
//! real headless Chromium. One test binary with a module per theme (it links once).
//!
//! Each journey asserts what the payer sees inside the shadow root and the exact sequence of
//! `statusChanged` events the host page received. Merchant actions go through the merchant API.
//! They are written in the steps of `e2e::journey` and `e2e::steps`.

mod accessibility;
mod chain;
mod demo;
mod embedding;
mod first_slice;
mod instances;
mod live;
mod payer;
mod proxy;
mod widget_key;
