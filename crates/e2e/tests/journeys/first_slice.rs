//! The thinnest real slice: a merchant page on another origin embeds the widget with one script
//! tag; the widget renders the checkout inside its shadow root and tells the page its status.

use e2e::steps::fixed_price;
use e2e::Journey;

#[tokio::test]
async fn a_foreign_page_shows_the_checkout_and_hears_its_status() {
    let j = Journey::start(&[], "plain", &fixed_price("Blue T-shirt", "25.00", "USD")).await;
    assert_ne!(
        j.ctx.site.origin(),
        j.ctx.server.origin(),
        "the page must be cross-origin"
    );
    let result = async {
        j.open().await?;
        let name = j.expect_text(".name").await?;
        if name != "Blue T-shirt" {
            return Err(format!(
                "the widget shows `{name}`, not the checkout's name"
            ));
        }
        j.expect_statuses(&["NEW"]).await?;
        let detail = j.browser.last_detail().await;
        if detail["id"] != j.id.as_str() {
            return Err(format!("statusChanged detail {detail}"));
        }
        // The host page's styles cannot reach into the widget: its content is not in the light
        // DOM at all.
        let light = j
            .browser
            .eval(
                "return document.querySelector('app-widget').children.length;",
                vec![],
            )
            .await;
        if light != 0 {
            return Err(format!(
                "the widget put {light} elements into the light DOM"
            ));
        }
        Ok(())
    }
    .await;
    j.finish("first_slice", result).await;
}
