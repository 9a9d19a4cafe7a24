use leptos::prelude::*;
use leptos::task::spawn_local;
use qrcode::{Color, EcLevel, QrCode};

use super::copy::copy;
use crate::i18n::Locale;

/// Light modules around the code, as the QR specification asks for.
const QUIET_ZONE: usize = 4;

/// The wallet URI as an inline SVG (allowed by any CSP that allows the widget, unlike images from
/// elsewhere or `data:` URLs). Medium error correction survives a phone camera at an angle.
///
/// Drawn here as one path of dark runs rather than with the `qrcode` crate's SVG renderer: the
/// markup is smaller and so is the code. The size on screen comes from the stylesheet.
pub fn qr_svg(uri: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(uri.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let side = (width + 2 * QUIET_ZONE).to_string();
    let mut svg = String::with_capacity(width * width * 4);
    svg.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#);
    svg.push_str(&side);
    svg.push(' ');
    svg.push_str(&side);
    svg.push_str(r##"" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d=""##);
    for (y, row) in colors.chunks(width).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] == Color::Dark {
                let run = row[x..].iter().take_while(|c| **c == Color::Dark).count();
                svg.push('M');
                svg.push_str(&(x + QUIET_ZONE).to_string());
                svg.push(' ');
                svg.push_str(&(y + QUIET_ZONE).to_string());
                svg.push('h');
                svg.push_str(&run.to_string());
                svg.push_str("v1H");
                svg.push_str(&(x + QUIET_ZONE).to_string());
                svg.push('z');
                x += run;
            } else {
                x += 1;
            }
        }
    }
    svg.push_str(r#""/></svg>"#);
    Some(svg)
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
        <button type="button" class="qr" part="qr" node_ref=button aria-label=t.qr_label()
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
                {move || if copied.get() { t.copied() } else { "" }}
            </span>
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_draws_every_dark_module_inside_a_quiet_zone() {
        let svg = qr_svg("bitcoin:bc1qexample?amount=0.001").unwrap();
        let code =
            QrCode::with_error_correction_level(b"bitcoin:bc1qexample?amount=0.001", EcLevel::M)
                .unwrap();
        let side = code.width() + 2 * QUIET_ZONE;
        assert!(
            svg.contains(&format!(r#"viewBox="0 0 {side} {side}""#)),
            "{svg}"
        );
        // The runs drawn cover exactly the dark modules.
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let drawn: usize = d
            .split('h')
            .skip(1)
            .map(|rest| rest.split('v').next().unwrap().parse::<usize>().unwrap())
            .sum();
        let dark = code
            .to_colors()
            .iter()
            .filter(|c| **c == Color::Dark)
            .count();
        assert_eq!(drawn, dark);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }
}
