//! The one client of the server's merchant API: the server's command line, its black-box tests
//! and the end-to-end journeys all reach the API through it, so a path, a body or the way an
//! answer is read is written once.
//!
//! An endpoint is a [`Call`] built in [`calls`] (method, path from `protocol::api::paths`,
//! body, and the type of the answer). A [`MerchantClient`] either sends it and reads the typed
//! answer ([`MerchantClient::call`]), or sends it and hands back the status and text as they came
//! ([`MerchantClient::send`]), which is what the command line prints and what the tests of
//! refusals assert on. [`MerchantClient::request`] is a bare authorised request for the bodies
//! no typed call would build (malformed JSON, oversized bodies).

pub mod calls;
mod client;
mod reply;
pub mod requests;
pub mod views;

pub use calls::Call;
pub use client::MerchantClient;
pub use reply::{Error, Reply};
pub use reqwest::{Method, StatusCode};
