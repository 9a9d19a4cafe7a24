//! The thinnest real slice: a merchant page on another origin embeds the widget with one script
//! tag; the widget renders the checkout inside its shadow root and tells the page its status.

use e2e::Ctx;

#[tokio::test]
async fn a_foreign_page_shows_the_checkout_and_hears_its_status() {
    let ctx = Ctx::start(&[]).await;
    let id = ctx
        .merchant
        .create_fixed_checkout("Blue T-shirt", "25.00", "USD")
        .await;
    let url = ctx.page("plain", &format!("<app-widget id=\"{id}\"></app-widget>"));
    assert_ne!(
        ctx.site.origin(),
        ctx.server.origin(),
        "the page must be cross-origin"
    );

    let b = ctx.browser().await;
    let result = async {
        b.goto(&url).await?;
        let name = b.wait_shadow_text("app-widget", ".name").await?;
        if name != "Blue T-shirt" {
            return Err(format!(
                "the widget shows `{name}`, not the checkout's name"
            ));
        }
        b.expect_statuses(None, &["NEW"]).await?;
        let detail = b.last_detail().await;
        if detail["id"] != id.as_str() {
            return Err(format!("statusChanged detail {detail}"));
        }
        // The host page's styles cannot reach into the widget: its content is not in the light
        // DOM at all.
        let light = b
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
    b.finish("first_slice", result).await;
}
