//! The URLs a widget reads first, by both rules that build them: the widget's (natively) and
//! `widget.js`'s prefetch (in Chromium, running the real loader). The widget takes a prefetched
//! answer only under exactly its own URL, so both must turn the same attributes into the same
//! URL: the checkout's (the ids below are ones the two rules once disagreed on) and the
//! language file's (the negotiated language's, none for English).

/// `api-base` and `id` attributes, and the URL they must be read from when `widget.js` was
/// loaded from `http://127.0.0.1:9/widget/` (a closed port: nothing asked for is ever answered).
const CASES: [(Option<&str>, &str, &str); 9] = [
    (
        None,
        "CCO-1",
        "http://127.0.0.1:9/api/v1/public/checkouts/CCO-1",
    ),
    (
        None,
        "  CCO-2\n",
        "http://127.0.0.1:9/api/v1/public/checkouts/CCO-2",
    ),
    (
        None,
        "CCO(3)!",
        "http://127.0.0.1:9/api/v1/public/checkouts/CCO%283%29%21",
    ),
    (
        None,
        "it's*",
        "http://127.0.0.1:9/api/v1/public/checkouts/it%27s%2A",
    ),
    (
        None,
        "a b/c?d#e",
        "http://127.0.0.1:9/api/v1/public/checkouts/a%20b%2Fc%3Fd%23e",
    ),
    (
        None,
        "~._-",
        "http://127.0.0.1:9/api/v1/public/checkouts/~._-",
    ),
    // Unicode whitespace: U+00A0 and U+3000 trimmed on both sides, U+0085 by Rust's trim but
    // not JavaScript's, U+FEFF by JavaScript's but not Rust's.
    (
        None,
        "\u{a0}CCO-é\u{3000}",
        "http://127.0.0.1:9/api/v1/public/checkouts/CCO-%C3%A9",
    ),
    (
        None,
        "\u{feff}CCO-6\u{85}",
        "http://127.0.0.1:9/api/v1/public/checkouts/%EF%BB%BFCCO-6",
    ),
    (
        Some(" https://api.example/base// "),
        " CCO-7 ",
        "https://api.example/base/api/v1/public/checkouts/CCO-7",
    ),
];

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_widget_reads_each_checkout_from_the_expected_url() {
    use checkout_widget::server_url::{checkout_url, server_base};
    use checkout_widget::state::Source;

    const LOADER_ORIGIN: &str = "http://127.0.0.1:9";
    for (api_base, id, expected) in CASES {
        let Some(Source::Checkout(id)) = Source::from_attributes(Some(id), None) else {
            panic!("{id:?} is a checkout id");
        };
        let url = checkout_url(&server_base(api_base, LOADER_ORIGIN), &id);
        assert_eq!(url, expected, "id {id:?}");
    }
}

/// The `locale` attribute and the browser's languages, and the language file the widget reads
/// (from the loader's directory), none for English, which is built in.
const LANGUAGE_CASES: [(Option<&str>, &[&str], Option<&str>); 9] = [
    (Some("de"), &["en-US"], Some("de")),
    (None, &["pt-BR", "en"], Some("pt")),
    (Some(" xx "), &["fr-CA"], Some("fr")),
    (Some("en"), &["de"], None),
    (None, &["zz"], None),
    (Some("\u{a0}AR\u{3000}"), &[], Some("ar")),
    (Some("de_AT"), &[], Some("de")),
    (Some(""), &["xx", "ja-JP"], Some("ja")),
    (None, &[], None),
];

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn the_widget_negotiates_each_language_as_expected() {
    use checkout_widget::i18n::Locale;
    for (attribute, browser, expected) in LANGUAGE_CASES {
        let wanted = attribute.into_iter().chain(browser.iter().copied());
        let locale = Locale::negotiate(wanted);
        let file = (locale != Locale::En).then(|| locale.tag());
        assert_eq!(file, expected, "{attribute:?} {browser:?}");
    }
    // Every language the widget has is one the loader knows (each asked for by name).
    for locale in Locale::ALL {
        assert_eq!(Locale::negotiate([locale.tag()]), locale);
    }
}

#[cfg(target_arch = "wasm32")]
mod loader {
    use super::*;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen_test::*;

    wasm_bindgen_test_configure!(run_in_browser);

    const LOADER: &str = include_str!("../widget.js");
    const LOADER_SRC: &str = "http://127.0.0.1:9/widget/widget.js";

    #[wasm_bindgen(inline_js = r#"
    // Runs the loader's source against one <app-widget> and stand-ins for the page's globals
    // (the browser's languages among them).
    function run(loader, loaderSrc, id, apiBase, locale, languages, answer) {
      const container = document.createElement("div");
      const element = document.createElement("app-widget");
      if (id !== undefined) element.setAttribute("id", id);
      if (apiBase !== undefined) element.setAttribute("api-base", apiBase);
      if (locale !== undefined) element.setAttribute("locale", locale);
      container.appendChild(element);
      const page = {
        currentScript: { src: loaderSrc },
        readyState: "complete",
        querySelectorAll: (selector) => container.querySelectorAll(selector),
        addEventListener: () => {},
      };
      const requested = [];
      const fetch = (url) => {
        requested.push(String(url));
        return answer === undefined ? new Promise(() => {}) : Promise.resolve(answer);
      };
      const quiet = { error: () => {} };
      const browser = { languages };
      const window = {};
      new Function("window", "document", "fetch", "console", "navigator", loader)(
        window, page, fetch, quiet, browser);
      return { requested, prefetched: window.__checkoutWidgetPrefetch };
    }
    // What the loader prefetched (the WebAssembly aside).
    export function prefetched_by_loader(loader, loaderSrc, id, apiBase, locale, languages) {
      return run(loader, loaderSrc, id, apiBase, locale, languages)
        .requested.filter((url) => !url.endsWith(".wasm"));
    }
    // What the widget finds for the checkout `id` when the server answers `status` with
    // `text`: the loader's prefetched entry, awaited.
    export function prefetched_answer(loader, loaderSrc, id, status, text) {
      const response = {
        status,
        json: () => new Promise((resolve) => resolve(JSON.parse(text))),
      };
      const { prefetched } = run(loader, loaderSrc, id, undefined, "en", [], response);
      return prefetched["http://127.0.0.1:9/api/v1/public/checkouts/" + id];
    }
    "#)]
    extern "C" {
        fn prefetched_by_loader(
            loader: &str,
            loader_src: &str,
            id: Option<String>,
            api_base: Option<String>,
            locale: Option<String>,
            languages: Vec<String>,
        ) -> Vec<String>;
        fn prefetched_answer(
            loader: &str,
            loader_src: &str,
            id: &str,
            status: u16,
            text: &str,
        ) -> js_sys::Promise;
    }

    fn english(loader_src: &str, id: Option<&str>, api_base: Option<&str>) -> Vec<String> {
        let languages = vec!["en-US".to_owned()];
        let (id, api_base) = (id.map(String::from), api_base.map(String::from));
        prefetched_by_loader(LOADER, loader_src, id, api_base, None, languages)
    }

    #[wasm_bindgen_test]
    fn the_loader_prefetches_each_checkout_from_the_expected_url() {
        for (api_base, id, expected) in CASES {
            let prefetched = english(LOADER_SRC, Some(id), api_base);
            assert_eq!(prefetched, [expected], "id {id:?}");
        }
    }

    #[wasm_bindgen_test]
    fn the_loader_prefetches_nothing_for_a_blank_id() {
        assert!(english(LOADER_SRC, Some(" \n "), None).is_empty());
    }

    #[wasm_bindgen_test]
    fn the_loader_prefetches_the_language_file_the_widget_reads() {
        for (attribute, browser, expected) in LANGUAGE_CASES {
            let languages = browser.iter().map(|l| l.to_string()).collect();
            let locale = attribute.map(String::from);
            // A widget key: no checkout to prefetch, only the words.
            let prefetched =
                prefetched_by_loader(LOADER, LOADER_SRC, None, None, locale, languages);
            let expected: Vec<String> = expected
                .map(|tag| format!("http://127.0.0.1:9/widget/locales/{tag}.json"))
                .into_iter()
                .collect();
            assert_eq!(prefetched, expected, "{attribute:?} {browser:?}");
        }
    }

    /// The loader reads each answer to the end and hands the widget its status and parsed
    /// body (`src/api.rs` takes exactly that shape); a body that is not JSON is left out.
    #[wasm_bindgen_test]
    async fn the_loader_hands_the_widget_each_answer_already_read() {
        let read = |id: &'static str, status: u16, text: &'static str| async move {
            let promise = prefetched_answer(LOADER, LOADER_SRC, id, status, text);
            wasm_bindgen_futures::JsFuture::from(promise).await.unwrap()
        };
        let field = |o: &JsValue, name: &str| js_sys::Reflect::get(o, &name.into()).unwrap();
        let answer = read("CCO-1", 200, r#"{"id":"CCO-1"}"#).await;
        assert_eq!(field(&answer, "status").as_f64(), Some(200.0));
        assert_eq!(
            field(&field(&answer, "body"), "id").as_string().as_deref(),
            Some("CCO-1")
        );
        let answer = read("CCO-2", 502, "<html>").await;
        assert_eq!(field(&answer, "status").as_f64(), Some(502.0));
        assert!(field(&answer, "body").is_undefined());
    }
}
