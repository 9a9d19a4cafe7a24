use leptos::prelude::*;
use leptos::task::spawn_local;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

use super::copy::copy;
use crate::i18n::Locale;

/// The wallet URI as an inline SVG (allowed by any CSP that allows the widget, unlike images from
/// elsewhere or `data:` URLs). Medium error correction survives a phone camera at an angle.
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

/// A QR code of `uri`; activating it copies the URI.
#[component]
pub fn Qr(
    /// The wallet URI the server built (BIP21, EIP-681, or the plain address).
    uri: String,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let t = locale.messages();
    let copied = RwSignal::new(false);
    let svg = qr_svg(&uri).unwrap_or_default();
    let button = NodeRef::<leptos::html::Button>::new();
    let uri = StoredValue::new(uri);
    view! {
        <button type="button" class="qr" part="qr" node_ref=button aria-label=t.qr_label
            data-uri=uri.get_value()
            on:click=move |_| {
                let Some(el) = button.get_untracked() else { return };
                let text = uri.get_value();
                spawn_local(async move {
                    let ok = copy(&text, &el).await;
                    let _ = copied.try_set(ok);
                });
            }>
            <span class="qr-image" inner_html=svg></span>
            <span class="qr-caption" aria-live="polite">
                {move || if copied.get() { t.copied } else { "" }}
            </span>
        </button>
    }
}
