//! Downloads the payer's language: every language but English is a file next to `widget.js`
//! (`locales/<tag>.json`), so a payer downloads only the words they read.

use js_sys::Reflect;
use wasm_bindgen::JsValue;

use crate::api::Api;
use crate::i18n::{Locale, Messages};

/// Installs `locale`'s words from `<asset_base>locales/<tag>.json`. When the file cannot be
/// loaded the widget stays in English: a payer is better served by English words than by none.
pub async fn load(api: &Api, asset_base: &str, locale: Locale) {
    if locale.is_loaded() {
        return;
    }
    let mut url = asset_base.to_owned();
    if !url.ends_with('/') {
        url.push('/');
    }
    url.push_str("locales/");
    url.push_str(locale.tag());
    url.push_str(".json");
    let Ok(table) = api.get_json(&url).await else {
        return;
    };
    if !table.is_object() || locale.is_loaded() {
        return;
    }
    // Leaked once per language per page: the table lives as long as the page, like English's.
    locale.install(Messages::from_lookup(|key| {
        let text = Reflect::get(&table, &JsValue::from_str(key))
            .ok()?
            .as_string()?;
        Some(Box::leak(text.into_boxed_str()))
    }));
}
