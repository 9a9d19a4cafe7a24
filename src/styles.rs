//! The widget's stylesheet, adopted into every shadow root.
//!
//! A constructable stylesheet is not subject to the host page's `style-src` CSP and is parsed
//! once per page however many widgets it holds; the CSS lives in `style/widget.css`.

use wasm_bindgen::JsCast;
use web_sys::{CssStyleSheet, ShadowRoot};

/// `style/widget.css` without comments and layout whitespace (see `build.rs`).
const CSS: &str = include_str!(concat!(env!("OUT_DIR"), "/widget.min.css"));

thread_local! {
    static SHEET: Option<CssStyleSheet> = {
        let sheet = CssStyleSheet::new().ok();
        if let Some(sheet) = &sheet {
            sheet.replace_sync(CSS).ok();
        }
        sheet
    };
}

/// Makes the widget's styles apply inside `root` (and only there).
pub fn adopt(root: &ShadowRoot) {
    SHEET.with(|sheet| {
        if let Some(sheet) = sheet {
            let sheets = js_sys::Array::of1(sheet.unchecked_ref());
            root.set_adopted_style_sheets(&sheets);
        }
    });
}
