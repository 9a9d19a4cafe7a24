//! The widget's words in eleven languages, one of them right-to-left.
//!
//! Plain tables rather than a message-format library: the widget's vocabulary is small and
//! fixed, and every byte here is downloaded by every payer. English is compiled in; the other
//! languages are files (`src/locales/<tag>.json`, copied to `dist/locales/`) that a payer
//! downloads only for their own language (see `locale_files.rs`), installed here once loaded.
//! `{…}` placeholders are filled by [`fill`]. Numbers are formatted by the browser's `Intl`
//! (see `format.rs`), not here.

use std::cell::RefCell;

mod errors;

pub use errors::{amount_error_text, error_text};

/// A supported language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Locale {
    En,
    Es,
    Fr,
    De,
    Pt,
    It,
    Nl,
    Tr,
    Ru,
    Ja,
    Ar,
}

impl Locale {
    pub const ALL: [Locale; 11] = [
        Locale::En,
        Locale::Es,
        Locale::Fr,
        Locale::De,
        Locale::Pt,
        Locale::It,
        Locale::Nl,
        Locale::Tr,
        Locale::Ru,
        Locale::Ja,
        Locale::Ar,
    ];

    /// BCP 47 tag, for `lang` and `Intl`.
    pub const fn tag(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::Es => "es",
            Locale::Fr => "fr",
            Locale::De => "de",
            Locale::Pt => "pt",
            Locale::It => "it",
            Locale::Nl => "nl",
            Locale::Tr => "tr",
            Locale::Ru => "ru",
            Locale::Ja => "ja",
            Locale::Ar => "ar",
        }
    }

    pub const fn is_rtl(self) -> bool {
        matches!(self, Locale::Ar)
    }

    /// The first supported language among `wanted` (the `locale` attribute first, then the
    /// browser's languages), matching on the primary subtag (`pt-BR` -> `pt`); English otherwise.
    pub fn negotiate<'a>(wanted: impl IntoIterator<Item = &'a str>) -> Locale {
        wanted
            .into_iter()
            .filter_map(|tag| {
                let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
                Locale::ALL.into_iter().find(|l| l.tag() == primary)
            })
            .next()
            .unwrap_or(Locale::En)
    }

    /// The words of this language: English until its file has been installed (or when it could
    /// not be loaded, so the widget never shows blanks).
    pub fn messages(self) -> &'static Messages {
        if self == Locale::En {
            return &EN;
        }
        LOADED.with(|loaded| {
            loaded
                .borrow()
                .iter()
                .find(|(l, _)| *l == self)
                .map(|(_, m)| *m)
                .unwrap_or(&EN)
        })
    }

    /// True when [`Locale::messages`] already returns this language's own words.
    pub fn is_loaded(self) -> bool {
        self == Locale::En || LOADED.with(|l| l.borrow().iter().any(|(l, _)| *l == self))
    }

    /// Makes `messages` this language's words for the rest of the page's life. A table is
    /// installed at most once per language, so leaking it costs one table per language used.
    pub fn install(self, messages: Messages) {
        if !self.is_loaded() {
            let table: &'static Messages = Box::leak(Box::new(messages));
            LOADED.with(|l| l.borrow_mut().push((self, table)));
        }
    }
}

thread_local! {
    /// Languages loaded so far on this page; shared by every widget on it.
    static LOADED: RefCell<Vec<(Locale, &'static Messages)>> = const { RefCell::new(Vec::new()) };
}

/// Replaces `{name}` placeholders with values.
/// A placeholder without a value is left as written.
pub fn fill(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Declares [`Messages`], the keys of the locale files and the English words from one list, so a
/// word, its accessor and its key cannot drift apart.
macro_rules! messages {
    ($($field:ident: $english:expr,)*) => {
        /// Positions in a table, one per word.
        #[allow(non_camel_case_types)]
        enum Key {
            $($field,)*
        }

        /// The keys of a locale file (`src/locales/<tag>.json`), in table order.
        pub const KEYS: &[&str] = &[$(stringify!($field)),*];

        /// Every string the widget shows, in one language. A table rather than a struct of
        /// fields: loading a language is then one loop, not one step per word.
        pub struct Messages([&'static str; KEYS.len()]);

        /// English, built in: the fallback for every other language.
        pub static EN: Messages = Messages([$($english),*]);

        impl Messages {
            $(
                pub fn $field(&self) -> &'static str {
                    self.0[Key::$field as usize]
                }
            )*
        }
    };
}

impl Messages {
    /// A table from `lookup(key)`; keys it lacks keep their English text, so a locale file
    /// that is behind shows English words rather than blanks.
    pub fn from_lookup(mut lookup: impl FnMut(&str) -> Option<&'static str>) -> Messages {
        let mut table = EN.0;
        for (text, key) in table.iter_mut().zip(KEYS) {
            if let Some(found) = lookup(key) {
                *text = found;
            }
        }
        Messages(table)
    }
}

messages! {
    loading: "Loading checkout…",
    retry: "Try again",
    error_network: "We could not reach the payment server. Check your connection.",
    error_server: "The payment server could not complete the request.",
    error_missing: "This widget has no checkout id or widget key.",
    error_declined: "The payment provider declined to open this payment. Choose another currency or contact the merchant.",
    reconnecting: "Connection lost. Reconnecting…",
    pay_with: "Pay with",
    filter: "Search currencies",
    no_match: "No currency matches your search.",
    amount_label: "Amount ({currency})",
    amount_min: "The minimum is {amount}.",
    amount_max: "The maximum is {amount}.",
    amount_invalid: "Enter an amount, for example {example}.",
    amount_precise: "Use at most {n} decimal places.",
    amount_required: "Enter an amount first.",
    continue_: "Continue",
    send_exactly: "Send exactly",
    to_address: "To this address",
    copy: "Copy",
    copied: "Copied",
    copy_failed: "Select and copy manually",
    copy_amount: "Copy amount",
    copy_address: "Copy address",
    qr_label: "QR code of the payment. Activate to copy the payment link.",
    open_wallet: "Open in wallet",
    warning: "Send only {coin} on the {network} network. Anything else will be lost.",
    rate_valid: "Amount guaranteed for {time}",
    quote_ended: "The quoted amount is no longer guaranteed. Do not send to this address; get a new quote.",
    new_quote: "Get a new quote",
    test_payment: "Test payment: test network, never send real funds",
    fiat_equivalent: "≈ {amount}",
    back: "Choose another currency",
    processing_title: "Payment detected",
    confirmations: "{n} of {m} confirmations",
    success_title: "Payment received. Thank you!",
    return_to_merchant: "Return to the merchant",
    underpaid_title: "Partial payment received",
    underpaid_body: "{amount} is still due. Send it to the same address to complete the payment.",
    overpaid_title: "You sent more than required",
    overpaid_body: "The merchant has been notified and will settle the difference with you.",
    paid_late_title: "Payment arrived after the checkout expired",
    paid_late_body: "Your payment was recorded. The merchant will review it and contact you.",
    expired_title: "This checkout has expired",
    expired_body: "No payment was received in time. Nothing was charged.",
    expired_partial_body: "A partial payment was received before it expired. Please contact support.",
    cancelled_title: "This checkout was cancelled",
    support: "Need help? Contact support",
    status_waiting: "Waiting for your payment",
    contact_label: "Your {provider} email, phone number or account ID",
    contact_hint: "A phone number starts with + and the country code, e.g. +63 917 123 4567.",
    contact_invalid: "Enter an email, a phone number starting with + and the country code, or a 32-character account ID.",
    pay_on_page: "Pay {amount} on {provider}",
    page_note: "The payment opens on {provider}'s page in a new tab. This page updates once you have paid.",
    test_controls: "Test controls (demo)",
    test_pay_full: "Pay in full",
    test_pay_part: "Pay part",
    test_mine: "Mine a block",
    test_expire: "Expire now",
    amount_range: "From {min} to {max}",
    short_by: "This is less than the amount due: {amount} is still to pay.",
    rate_then: "After that, get a new quote before sending.",
    checkout_ends: "This checkout closes in {time}. Anything sent later needs the merchant's review.",
    review_title: "This payment needs the merchant's review",
    review_body: "The merchant has been notified and will review it. If you contact them, quote the reference {id}.",
    start_again: "Start a new checkout",
    expired_no_restart: "This checkout cannot be reopened. To pay, start again from the merchant's page.",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiates_on_the_primary_subtag_with_english_as_fallback() {
        assert_eq!(Locale::negotiate(["pt-BR"]), Locale::Pt);
        assert_eq!(Locale::negotiate(["xx", "de_AT", "fr"]), Locale::De);
        assert_eq!(Locale::negotiate(["zz"]), Locale::En);
        assert_eq!(Locale::negotiate([]), Locale::En);
        assert!(Locale::Ar.is_rtl() && !Locale::En.is_rtl());
    }

    /// The table a payer of `locale` gets: English compiled in, the others read from their file.
    fn locale_file(locale: Locale) -> Messages {
        if locale == Locale::En {
            return Messages::from_lookup(|_| None);
        }
        let path = format!(
            "{}/src/locales/{}.json",
            env!("CARGO_MANIFEST_DIR"),
            locale.tag()
        );
        let text = std::fs::read_to_string(&path).expect(&path);
        let map: std::collections::BTreeMap<String, String> =
            serde_json::from_str(&text).expect(&path);
        let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
        let mut expected = KEYS.to_vec();
        keys.sort_unstable();
        expected.sort_unstable();
        assert_eq!(keys, expected, "{path} has exactly the keys of Messages");
        Messages::from_lookup(|key| {
            map.get(key)
                .map(|v| &*Box::leak(v.clone().into_boxed_str()))
        })
    }

    #[test]
    fn installed_languages_replace_english() {
        assert_eq!(Locale::Fr.messages().retry(), EN.retry());
        assert!(!Locale::Fr.is_loaded());
        Locale::Fr.install(locale_file(Locale::Fr));
        assert!(Locale::Fr.is_loaded());
        assert_ne!(Locale::Fr.messages().retry(), EN.retry());
    }

    #[test]
    fn every_locale_fills_the_same_placeholders() {
        let placeholders = |s: &str| {
            let mut names: Vec<String> = s
                .split('{')
                .skip(1)
                .filter_map(|p| p.split_once('}').map(|(n, _)| n.to_owned()))
                .collect();
            names.sort();
            names
        };
        let fields = |m: &Messages| {
            [
                m.amount_label(),
                m.amount_min(),
                m.amount_max(),
                m.amount_invalid(),
                m.amount_precise(),
                m.warning(),
                m.rate_valid(),
                m.fiat_equivalent(),
                m.confirmations(),
                m.underpaid_body(),
                m.contact_label(),
                m.pay_on_page(),
                m.page_note(),
                m.amount_range(),
            ]
        };
        for locale in Locale::ALL {
            let table = locale_file(locale);
            for (ours, english) in fields(&table).iter().zip(fields(&EN)) {
                assert_eq!(
                    placeholders(ours),
                    placeholders(english),
                    "{locale:?}: {ours}"
                );
            }
        }
        assert_eq!(fill("{n} of {m}", &[("n", "1"), ("m", "3")]), "1 of 3");
        assert_eq!(fill("≈ {amount} {x}", &[("amount", "5")]), "≈ 5 {x}");
        assert_eq!(fill("a {b", &[("b", "1")]), "a {b");
    }
}
