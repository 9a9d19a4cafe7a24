//! Which server a widget asks, and at which URL it reads its checkout.
//!
//! `widget.js` repeats this rule to prefetch each checkout while the WebAssembly loads, and the
//! widget takes the prefetched answer only under exactly the URL it would request itself; so the
//! two must agree byte for byte. `tests/checkout_url.rs` runs the same cases through both.

use protocol::api;

/// An attribute as the widget reads it: surrounding whitespace dropped (`str::trim`, Unicode
/// `White_Space`), blank counted as absent.
pub fn attribute_value(raw: Option<&str>) -> Option<&str> {
    raw.map(str::trim).filter(|v| !v.is_empty())
}

/// The server a widget talks to: its `api-base` attribute if set, else the origin `widget.js`
/// was loaded from; without trailing slashes.
pub fn server_base(api_base: Option<&str>, loader_origin: &str) -> String {
    attribute_value(api_base)
        .unwrap_or(loader_origin)
        .trim_end_matches('/')
        .to_owned()
}

/// The URL a checkout is read from: every byte of `id` but `A-Z a-z 0-9 - . _ ~`
/// percent-encoded, so an id can never change the path it is put in.
pub fn checkout_url(server_base: &str, id: &str) -> String {
    let mut url = server_base.to_owned();
    url.push_str(&api::checkout(id));
    url
}
