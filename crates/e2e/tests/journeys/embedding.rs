//! Journeys 10 and 11: the widget on demanding host pages.

use std::time::Duration;

use e2e::steps::{bare_fixed_price, widget_tag, PAID};
use e2e::{Ctx, Journey};
use merchant_client::requests::NewCheckout;
use serde_json::json;

/// When the German file was requested (each request), and whether the first one started
/// before the WebAssembly was instantiated (widget.js's mark).
const LANGUAGE_FILE_JS: &str = "
    const starts = performance.getEntriesByType('resource')
      .filter(r => new URL(r.name).pathname.endsWith('/widget/locales/de.json'))
      .map(r => r.startTime);
    const ready = performance.getEntriesByName('checkout-widget:instantiated', 'mark');
    return { starts, early: starts.length > 0 && ready.length > 0 && starts[0] < ready[0].startTime };";

fn checkout(name: &str) -> NewCheckout {
    bare_fixed_price(name, "18.00", "EUR")
}

/// Journey 10: a page whose CSP allows only the widget's origin (plus wasm compilation), in
/// German: the language file the loader prefetched is the one the widget reads (one request,
/// made before the WebAssembly was ready).
#[tokio::test]
async fn strict_csp_page_completes_the_journey_without_violations() {
    let ctx = Ctx::start(&[]).await;
    let id = ctx.merchant.create_checkout(&checkout("Strict page")).await;
    let origin = ctx.server.origin();
    let csp = format!(
        "default-src 'none'; script-src 'self' {origin} 'wasm-unsafe-eval'; \
         connect-src {origin}; style-src {origin}; img-src 'self'"
    );
    let url = ctx.site.page(
        "j10",
        &ctx.server.widget_js(),
        &widget_tag(&id, "locale=\"de\""),
        Some(&csp),
    );
    let j = Journey::on_page(ctx, id, url).await;
    let result = async {
        j.open().await?;
        j.pick("BTC", "BITCOIN").await?;
        j.expect_text(".qr svg").await?;
        let payment = j.active_payment().await;
        j.pay_in_full(&payment).await;
        j.expect_screen("success").await?;
        let violations = j.browser.eval("return window.__violations;", vec![]).await;
        if violations != json!([]) {
            return Err(format!("CSP violations: {violations}"));
        }
        let language = j.browser.eval(LANGUAGE_FILE_JS, vec![]).await;
        match language["starts"].as_array().map(Vec::len) {
            Some(1) if language["early"] == json!(true) => Ok(()),
            _ => Err(format!(
                "the language file, prefetched once and early: {language}"
            )),
        }
    }
    .await;
    j.finish("j10_strict_csp", result).await;
}

/// Journey 11: two widgets on one page do not talk over each other; a removed widget goes
/// quiet, and comes back when re-added.
#[tokio::test]
async fn two_widgets_stay_independent_and_removal_stops_all_traffic() {
    let ctx = Ctx::start(&[]).await;
    let a = ctx.merchant.create_checkout(&checkout("Widget A")).await;
    let b_id = ctx.merchant.create_checkout(&checkout("Widget B")).await;
    let url = ctx.page(
        "j11",
        &format!(
            "{}{}",
            widget_tag(&a, "data-name=\"a\""),
            widget_tag(&b_id, "data-name=\"b\"")
        ),
    );
    let (wa, wb) = ("app-widget[data-name=a]", "app-widget[data-name=b]");
    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        b.wait_screen(wb, "choose").await?;
        b.pick(wa, "BTC", "BITCOIN").await?;
        ctx.merchant.pay_in_full(&a).await;
        b.wait_screen(wa, "success").await?;
        if b.screen(wb).await.as_deref() != Some("choose") {
            return Err("widget B changed when A was paid".into());
        }
        b.expect_statuses(Some("b"), &["NEW"]).await?;
        b.expect_statuses(Some("a"), &PAID).await?;

        // Remove B, wait longer than its poll interval, and count requests naming it.
        let removed_at = b
            .eval("const el = document.querySelector(arguments[0]); window.__removed = el; el.remove(); return Date.now();", vec![json!(wb)])
            .await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let after = b
            .eval(
                "return window.__requests.filter(r => r.at > arguments[0] && r.url.includes(arguments[1])).length;",
                vec![removed_at, json!(b_id)],
            )
            .await;
        if after != 0 {
            return Err(format!("{after} requests for the removed widget after its removal"));
        }
        b.eval("document.body.appendChild(window.__removed);", vec![]).await;
        b.wait_screen(wb, "choose").await
    }
    .await;
    b.finish("j11_two_widgets", result).await;
}
