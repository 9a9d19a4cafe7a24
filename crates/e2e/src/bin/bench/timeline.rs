//! Where the widget's time to interactive goes, read from Chromium's performance timeline:
//! resource timings of the files and requests (start and end are exposed for cross-origin
//! entries too) and the marks the widget sets (`widget.js` marks `checkout-widget:instantiated`
//! once the module is compiled and instantiated, before it defines the element; the widget
//! marks `checkout-widget:mounted` and `checkout-widget:checkout-read`, `src/timing.rs`).

use serde::Deserialize;

use crate::median;

/// Run on the loaded page: the interactive mark `arguments[0]`, the instantiated mark and every
/// resource entry, in ms since navigation start.
pub const TIMELINE_JS: &str = r#"
const mark = n => { const e = performance.getEntriesByName(n, "mark"); return e.length ? e[0].startTime : null; };
return {
  interactive: mark(arguments[0]),
  instantiated: mark("checkout-widget:instantiated"),
  mounted: mark("checkout-widget:mounted"),
  checkout_read: mark("checkout-widget:checkout-read"),
  resources: performance.getEntriesByType("resource")
    .map(r => ({ name: r.name, start: r.startTime, end: r.responseEnd })),
};"#;

#[derive(Debug, Deserialize)]
pub struct Timeline {
    pub interactive: f64,
    pub instantiated: Option<f64>,
    pub mounted: Option<f64>,
    pub checkout_read: Option<f64>,
    pub resources: Vec<Resource>,
}

#[derive(Debug, Deserialize)]
pub struct Resource {
    pub name: String,
    pub start: f64,
    pub end: f64,
}

/// The parts, in report.json's keys. The first eight follow each other and add up to the time
/// to interactive; the last four are downloads that overlap others (the loader starts the
/// glue, the wasm, the checkout and the language file together), given for what they are on
/// their own.
pub const PARTS: [&str; 12] = [
    "breakdown_page_ms",
    "breakdown_widget_js_ms",
    "breakdown_loader_ms",
    "breakdown_downloads_ms",
    "breakdown_compile_instantiate_ms",
    "breakdown_mount_ms",
    "breakdown_checkout_read_ms",
    "breakdown_render_ms",
    "breakdown_glue_ms",
    "breakdown_wasm_ms",
    "breakdown_checkout_ms",
    "breakdown_language_ms",
];

/// One load's parts, in the order of [`PARTS`], in ms.
#[derive(Debug, PartialEq)]
pub struct Breakdown(pub [f64; PARTS.len()]);

impl Breakdown {
    /// - page: navigation start to `widget.js` requested (the host page and its scripts);
    /// - widget_js: its request to its last byte;
    /// - loader: that last byte to the loader's first download (the script waiting and running);
    /// - downloads: from there to the last byte of the glue and the wasm, whichever is later;
    /// - compile_instantiate: to the instantiated mark (streaming compilation overlaps the
    ///   download: this is what is left after it);
    /// - mount: to the mounted mark (the element defined, its skeleton on screen, its checkout
    ///   asked for);
    /// - checkout_read: to the checkout-read mark (the prefetched answer taken, or waited for,
    ///   and read);
    /// - render: to the interactive mark (the views built from it, the currency list on screen;
    ///   waiting for the language file too if it came later);
    /// - glue, wasm, checkout, language: each download from request to last byte.
    ///
    /// The loader prefetches the checkout and the language file; one fetched a second time
    /// means the widget did not take the prefetched answer, and is an error.
    pub fn of(t: &Timeline) -> Result<Breakdown, String> {
        let find = |what: &str, matches: &dyn Fn(&str) -> bool| {
            let mut found = t.resources.iter().filter(|r| matches(path_of(&r.name)));
            match (found.next(), found.next()) {
                (Some(one), None) => Ok(one),
                (Some(_), Some(_)) => Err(format!("{what} was requested twice")),
                (None, _) => Err(format!("no resource timing for {what}")),
            }
        };
        let loader = find("widget.js", &|p| p.ends_with("/widget/widget.js"))?;
        let glue = find("the glue", &|p| p.ends_with("/widget/checkout-widget.js"))?;
        let wasm = find("the wasm", &|p| {
            p.ends_with("/widget/checkout-widget_bg.wasm")
        })?;
        let checkout = find("the checkout", &|p| {
            p.strip_prefix("/api/v1/public/checkouts/")
                .is_some_and(|id| !id.contains('/'))
        })?;
        let language = find("the language file", &|p| {
            p.starts_with("/widget/locales/") && p.ends_with(".json")
        })?;
        let instantiated = t
            .instantiated
            .ok_or("no checkout-widget:instantiated mark (widget.js sets it)")?;
        let mounted = t.mounted.ok_or("no checkout-widget:mounted mark")?;
        let checkout_read = t
            .checkout_read
            .ok_or("no checkout-widget:checkout-read mark")?;
        let first_download = glue.start.min(wasm.start);
        let downloaded = glue.end.max(wasm.end);
        Ok(Breakdown([
            loader.start,
            loader.end - loader.start,
            first_download - loader.end,
            downloaded - first_download,
            instantiated - downloaded,
            mounted - instantiated,
            checkout_read - mounted,
            t.interactive - checkout_read,
            glue.end - glue.start,
            wasm.end - wasm.start,
            checkout.end - checkout.start,
            language.end - language.start,
        ]))
    }
}

/// `http://host:1/a/b?q` -> `/a/b`.
fn path_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = rest.find('/').map_or("", |at| &rest[at..]);
    path.split(['?', '#']).next().unwrap_or(path)
}

/// The median of each part over `loads`, keyed as in [`PARTS`].
pub fn medians(loads: &[Breakdown]) -> Vec<(&'static str, f64)> {
    PARTS
        .iter()
        .enumerate()
        .map(|(i, key)| {
            let values: Vec<f64> = loads.iter().map(|b| b.0[i]).collect();
            (*key, median(&values))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many of [`PARTS`] follow each other.
    const SEQUENTIAL: usize = 8;

    fn resource(name: &str, start: f64, end: f64) -> Resource {
        Resource {
            name: name.to_owned(),
            start,
            end,
        }
    }

    fn timeline() -> Timeline {
        let server = "http://127.0.0.1:9";
        Timeline {
            interactive: 300.0,
            instantiated: Some(250.0),
            mounted: Some(262.0),
            checkout_read: Some(270.0),
            resources: vec![
                resource("http://localhost:8/recorder.js", 10.0, 20.0),
                resource(&format!("{server}/widget/widget.js"), 40.0, 70.0),
                resource(&format!("{server}/widget/checkout-widget.js"), 75.0, 120.0),
                resource(
                    &format!("{server}/widget/checkout-widget_bg.wasm"),
                    74.0,
                    180.0,
                ),
                resource(
                    &format!("{server}/api/v1/public/checkouts/CCO-1"),
                    76.0,
                    130.0,
                ),
                resource(&format!("{server}/widget/locales/de.json"), 77.0, 262.0),
            ],
        }
    }

    #[test]
    fn splits_a_load_into_its_parts() {
        let parts = Breakdown::of(&timeline()).unwrap();
        assert_eq!(
            parts,
            Breakdown([40.0, 30.0, 4.0, 106.0, 70.0, 12.0, 8.0, 30.0, 45.0, 106.0, 54.0, 185.0])
        );
        // The parts that follow each other add up to the time to interactive.
        assert_eq!(parts.0[..SEQUENTIAL].iter().sum::<f64>(), 300.0);
        let twice = medians(&[parts, Breakdown::of(&timeline()).unwrap()]);
        assert_eq!(twice[0], ("breakdown_page_ms", 40.0));
        assert_eq!(twice[7], ("breakdown_render_ms", 30.0));
    }

    #[test]
    fn a_missing_part_is_an_error_not_a_zero() {
        let mut t = timeline();
        t.instantiated = None;
        assert!(Breakdown::of(&t).unwrap_err().contains("instantiated"));
        let mut t = timeline();
        t.checkout_read = None;
        assert!(Breakdown::of(&t).unwrap_err().contains("checkout-read"));
        let mut t = timeline();
        t.resources.retain(|r| !r.name.contains("locales"));
        assert!(Breakdown::of(&t).unwrap_err().contains("language"));
        // A second request for the language file: the widget did not take the prefetched one.
        let mut t = timeline();
        let again = resource("http://127.0.0.1:9/widget/locales/de.json", 255.0, 270.0);
        t.resources.push(again);
        assert!(Breakdown::of(&t).unwrap_err().contains("twice"));
        // The status route is not the checkout.
        let mut t = timeline();
        t.resources[4].name = "http://127.0.0.1:9/api/v1/public/checkouts/CCO-1/status".into();
        assert!(Breakdown::of(&t).unwrap_err().contains("checkout"));
    }

    #[test]
    fn paths_drop_origin_and_query() {
        assert_eq!(path_of("http://h:1/a/b?q=1#x"), "/a/b");
        assert_eq!(path_of("http://h:1"), "");
    }
}
