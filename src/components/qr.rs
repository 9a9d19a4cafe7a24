use leptos::prelude::*;
use leptos::task::spawn_local;
use protocol::QrMatrix;

use super::copy::copy;
use super::{attr, handler};
use crate::i18n::Locale;

/// Light modules around the code, as the QR specification asks for.
const QUIET_ZONE: usize = 4;

/// The server's QR matrix as an inline SVG (allowed by any CSP that allows the widget, unlike
/// images from elsewhere or `data:` URLs): one path of dark runs, a row at a time, which keeps
/// both the markup and the code small. The size on screen comes from the stylesheet. `None`
/// when the matrix is malformed.
pub fn qr_svg(matrix: &QrMatrix) -> Option<String> {
    let width = usize::from(matrix.size);
    let dark = matrix.dark()?;
    let side = (width + 2 * QUIET_ZONE).to_string();
    let mut svg = String::with_capacity(width * width * 4);
    svg.push_str(r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 "#);
    svg.push_str(&side);
    svg.push(' ');
    svg.push_str(&side);
    svg.push_str(r##"" shape-rendering="crispEdges"><rect width="100%" height="100%" fill="#fff"/><path fill="#000" d=""##);
    for (y, row) in dark.chunks(width.max(1)).enumerate() {
        let mut x = 0;
        while x < width {
            if row[x] {
                let run = row[x..].iter().take_while(|d| **d).count();
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

/// A QR code of `uri`, drawn from the matrix the server encoded; activating it copies the URI.
#[component]
pub fn Qr(
    /// The wallet URI the server built (BIP21, EIP-681, or the plain address).
    uri: String,
    /// The same URI as a QR code, from the server.
    matrix: Option<QrMatrix>,
    /// The payer's language.
    locale: Locale,
) -> impl IntoView {
    let t = locale.messages();
    let copied = RwSignal::new(false);
    let svg = matrix.as_ref().and_then(qr_svg).unwrap_or_default();
    view! {
        <button {attr("type", "button")} class="qr" {attr("part", "qr")} {attr("aria-label", t.qr_label())}
            data-uri=uri.clone()
            on:click=handler(move |ev: leptos::ev::MouseEvent| {
                // Any element of the widget tells `copy` where the widget is.
                let el = event_target::<web_sys::Element>(&ev);
                let text = uri.clone();
                spawn_local(async move {
                    let ok = copy(&text, &el).await;
                    let _ = copied.try_set(ok);
                });
            })>
            <span class="qr-image" inner_html=svg></span>
            <span class="qr-caption" {attr("aria-live", "polite")}>
                // Owned, like every changing text in the widget: one kind of text effect linked.
                {move || if copied.get() { t.copied() } else { "" }.to_owned()}
            </span>
        </button>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_svg_draws_every_dark_module_inside_a_quiet_zone() {
        // A 5 x 5 pattern with runs of several lengths, touching both edges.
        let dark: Vec<bool> = "11011 00000 10101 11111 01110"
            .chars()
            .filter(|c| *c != ' ')
            .map(|c| c == '1')
            .collect();
        let matrix = QrMatrix::from_dark(5, &dark).unwrap();
        let svg = qr_svg(&matrix).unwrap();
        let side = 5 + 2 * QUIET_ZONE;
        assert!(
            svg.contains(&format!(r#"viewBox="0 0 {side} {side}""#)),
            "{svg}"
        );
        let d = svg
            .split(" d=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        // Each run: M x y h len v1 H x z, at the module's place plus the quiet zone.
        let runs: Vec<(usize, usize, usize)> = d
            .split('M')
            .skip(1)
            .map(|r| {
                let (xy, rest) = r.split_once('h').unwrap();
                let (x, y) = xy.split_once(' ').unwrap();
                let len = rest.split('v').next().unwrap();
                (x.parse().unwrap(), y.parse().unwrap(), len.parse().unwrap())
            })
            .collect();
        let mut drawn = vec![false; 25];
        for (x, y, len) in &runs {
            for i in 0..*len {
                drawn[(y - QUIET_ZONE) * 5 + (x - QUIET_ZONE) + i] = true;
            }
        }
        assert_eq!(drawn, dark);
        assert_eq!(runs.len(), 2 + 3 + 1 + 1, "one path command per run");
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn a_malformed_matrix_draws_nothing() {
        let matrix = QrMatrix {
            size: 5,
            modules: "zz".into(),
        };
        assert_eq!(qr_svg(&matrix), None);
    }
}
