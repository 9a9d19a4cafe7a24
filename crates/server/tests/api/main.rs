//! Black-box tests: each test starts the real server on a random port with a fresh data
//! directory and fast sandbox timings, and talks to it over HTTP only.
//! One binary with a module per feature (one link step instead of many).

mod anvil;
mod emulator;
mod helpers;
mod process;
mod receiver;

mod abuse;
mod assets_and_health;
mod checkouts;
mod cli;
mod crash;
mod errors;
mod fuzz;
mod instances;
mod live;
mod merchant_events;
mod metrics;
mod notify;
mod payments;
mod providers_calypso;
mod providers_calypso_interventions;
mod providers_coinsph;
mod providers_evm;
mod providers_inqud;
mod restart;
mod secrets;
mod test_controls;
mod webhooks;
mod widgets;
