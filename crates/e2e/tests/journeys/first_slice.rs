//! The thinnest real slice: a merchant page on another origin embeds the widget with one script
//! tag; the widget renders the checkout inside its shadow root and tells the page its status.

use e2e::browser::journey;
use e2e::{Browser, Env, HostSite, Merchant, Server};

#[tokio::test]
async fn a_foreign_page_shows_the_checkout_and_hears_its_status() {
    let env = Env::from_env();
    let site = HostSite::start().await;
    let server = Server::start(&env, &site).await;
    let merchant = Merchant::new(&server.origin());
    let id = merchant
        .create_fixed_checkout("Blue T-shirt", "25.00", "USD")
        .await;
    let url = site.page(
        "plain",
        &server.widget_js(),
        &format!("<app-widget id=\"{id}\"></app-widget>"),
        None,
    );
    assert_ne!(
        site.origin(),
        server.origin(),
        "the page must be cross-origin"
    );

    let browser = Browser::start(&env).await;
    journey("first_slice", browser, |browser| async move {
        let result = async {
            browser.client.goto(&url).await.map_err(|e| e.to_string())?;
            let name = browser.wait_shadow_text("app-widget", ".name").await?;
            if name != "Blue T-shirt" {
                return Err(format!(
                    "the widget shows `{name}`, not the checkout's name"
                ));
            }
            let events = e2e::eventually(
                "a statusChanged event",
                std::time::Duration::from_secs(5),
                || async {
                    let events = browser.events().await;
                    (!events.is_empty()).then_some(events)
                },
            )
            .await?;
            let detail = &events[0]["detail"];
            if detail["id"] != id.as_str() || detail["status"] != "NEW" || events.len() != 1 {
                return Err(format!("unexpected statusChanged events: {events:?}"));
            }
            // The host page's styles cannot reach into the widget: its content is not in the
            // light DOM at all.
            let light = browser
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
        (browser, result)
    })
    .await;
}
