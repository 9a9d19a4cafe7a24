//! The widget's views. They stay thin: decisions live in [`crate::state`], words in
//! [`crate::i18n`], numbers in [`crate::format`]. Each is public so the browser tests can mount
//! it alone with a fixture checkout.
//!
//! Every byte of them is downloaded by every payer, and Leptos links its rendering code once
//! per view *type*: so optional parts and list items are `AnyView`s (`.into_any()`), which
//! share one type, and event handlers go through [`handler`].

pub mod amount;
pub mod app;
pub mod choose;
pub mod contact;
#[cfg(test)]
mod conventions;
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

/// Every plain attribute of the views (`id`, `type`, `role`, `part`, `aria-*`, ...) is written
/// `{attr("name", value)}` rather than `name=value`: the same attribute in the DOM, but through
/// one attribute type for every name instead of one type per name. Leptos builds each attribute
/// type's code separately (twice for a text value: once borrowed, once shared), and in the
/// shipped build (`erase_components`) each type also gets its own type-erased copy, so one type
/// for all of them is 20 KB less code: 1.5 KB brotli and 2.8 KB gzip less of the whole bundle
/// (2026-11-30). `class`, `style`, `prop:`, `on:` and `node_ref` keep their own forms: they do
/// something else than set an attribute.
pub(crate) use leptos::tachys::html::attribute::custom::custom_attribute as attr;

/// An event handler as the one boxed type of its event. Leptos instantiates its listener code
/// (attaching, cloning, erasing) once per handler type: passed as written, every closure is a
/// type of its own; boxed here, all handlers of one event share a single copy.
pub fn handler<E>(f: impl FnMut(E) + 'static) -> Box<dyn FnMut(E)> {
    Box::new(f)
}
