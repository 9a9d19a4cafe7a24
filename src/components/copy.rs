use leptos::prelude::*;

use super::{attr, handler};
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;

use crate::i18n::Locale;

#[wasm_bindgen(inline_js = r#"
export async function copy_text(text, near) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (_) { /* denied or unfocused: fall back below */ }
  try {
    const buffer = document.createElement("textarea");
    buffer.value = text;
    buffer.setAttribute("readonly", "");
    buffer.className = "copy-buffer";
    // Inside the shadow root, so the selection is ours; a document takes it in its body.
    const root = near && near.getRootNode ? near.getRootNode() : document;
    (root.nodeType === Node.DOCUMENT_NODE ? root.body : root).appendChild(buffer);
    buffer.select();
    const ok = document.execCommand("copy");
    buffer.remove();
    return ok;
  } catch (_) { return false; }
}
"#)]
extern "C" {
    fn copy_text(text: &str, near: &web_sys::Element) -> js_sys::Promise;
}

/// Copies `text` with the Clipboard API, or the older selection-based command where that is
/// unavailable (insecure pages, old browsers, denied permission). Resolves to success.
pub async fn copy(text: &str, near: &web_sys::Element) -> bool {
    wasm_bindgen_futures::JsFuture::from(copy_text(text, near))
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// A button that copies the canonical `value` (never the formatted one) and says so.
#[component]
pub fn CopyButton(
    /// Exactly what lands on the clipboard.
    value: String,
    /// The accessible name, e.g. "Copy address".
    label: &'static str,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let t = locale.messages();
    // What the last copy did: worked, failed, or (both false) nothing to say. Two flags rather
    // than a three-state type: every distinct signal type adds its own copy of the reactive
    // code to the download.
    let copied = RwSignal::new(false);
    let failed = RwSignal::new(false);
    let on_click = move |ev: leptos::ev::MouseEvent| {
        // Any element of the widget tells `copy` where the widget is.
        let el = event_target::<web_sys::Element>(&ev);
        let text = value.clone();
        spawn_local(async move {
            let ok = copy(&text, &el).await;
            let _ = copied.try_set(ok);
            let _ = failed.try_set(!ok);
            // Back to "Copy" after a moment, so a second copy is confirmed too.
            set_timeout(
                move || {
                    let _ = copied.try_set(false);
                    let _ = failed.try_set(false);
                },
                std::time::Duration::from_millis(2_000),
            );
        });
    };
    view! {
        <button {attr("type", "button")} class="copy" {attr("part", "copy")} {attr("aria-label", label)}
            data-copied=move || if copied.get() { "true" } else { "false" }
            on:click=handler(on_click)>
            // Owned, like every changing text in the widget: one kind of text effect linked.
            {move || if copied.get() {
                t.copied()
            } else if failed.get() {
                t.copy_failed()
            } else {
                t.copy()
            }.to_owned()}
        </button>
    }
}
