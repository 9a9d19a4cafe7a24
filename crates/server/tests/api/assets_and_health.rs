use std::collections::BTreeSet;

use checkout_server::routes::{openapi::DOCUMENT, ROUTES};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::*;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let (status, body) = app.public_get("/healthz").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

#[tokio::test]
async fn the_bench_baseline_is_mounted_only_when_configured() {
    let app = spawn_app().await;
    assert_eq!(
        app.public_get("/bench/baseline").await.0,
        StatusCode::NOT_FOUND
    );
    let bench = spawn_app_with(|c| c.bench_baseline = true).await;
    let (status, body) = bench.public_get("/bench/baseline").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, serde_json::json!({"status": "ok"}));
}

#[tokio::test]
async fn openapi_document_lists_exactly_the_routes_and_the_router_serves_each() {
    let doc: Value = serde_json::from_str(DOCUMENT).unwrap();
    assert_eq!(doc["openapi"].as_str().unwrap().get(..3), Some("3.1"));
    let documented = operations_of(&doc);
    let routed: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(documented, routed);

    // The demo serves every route (the test controls exist only there).
    let app = spawn_app_with(|c| c.demo = true).await;
    let (served, _) = app.public_get("/api/openapi.json").await;
    assert_eq!(served, StatusCode::OK);
    for (method, path) in ROUTES {
        let concrete = path
            .replace("{id}", "CCO-00000000-0000-4000-8000-000000000000")
            .replace("{key}", "00000000-0000-4000-8000-000000000000")
            .replace("{paymentId}", "PAY-00000000-0000-4000-8000-000000000000");
        let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let resp = app
            .client
            .request(method.clone(), app.url(&concrete))
            .bearer_auth(MERCHANT_KEY)
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await
            .unwrap();
        let status = resp.status();
        let body: Value = resp.json().await.unwrap_or(Value::Null);
        assert_ne!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
        assert_ne!(
            body["error"]["message"], "no such route",
            "{method} {path} is not routed"
        );
    }
}

#[tokio::test]
async fn unknown_routes_and_methods_get_the_envelope() {
    let app = spawn_app().await;
    let (status, body) = app.public_get("/nope").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(error_of(&body).0, "not_found");
    let (status, body) = app.request(Method::DELETE, "/healthz", false, None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(error_of(&body).0, "method_not_allowed");
}

fn write(dir: &std::path::Path, name: &str, content: &[u8]) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join(name), content).unwrap();
}

#[tokio::test]
async fn widget_files_are_served_with_mime_cors_and_cache_headers() {
    let files = tempfile::tempdir().unwrap();
    let dist = files.path().join("dist");
    let examples = files.path().join("examples");
    write(&dist, "widget.js", b"export {}");
    write(&dist, "widget_bg.wasm", b"\0asm\x01\0\0\0");
    write(&dist, "widget.css", b"a{}");
    write(&dist, "widget.d.ts", b"export {}");
    write(&examples, "index.html", b"<h1>shop</h1>");
    let (d, e) = (dist.clone(), examples.clone());
    let app = spawn_app_with(move |c| {
        c.dist = Some(d);
        c.examples = Some(e);
    })
    .await;

    for (file, mime) in [
        ("widget.js", "text/javascript"),
        ("widget_bg.wasm", "application/wasm"),
        ("widget.css", "text/css"),
        ("widget.d.ts", "text/plain"),
    ] {
        let resp = app
            .client
            .get(app.url(&format!("/widget/{file}")))
            .header("origin", "https://any-merchant.example")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{file}");
        let h = resp.headers();
        assert!(
            h["content-type"].to_str().unwrap().starts_with(mime),
            "{file}: {:?}",
            h["content-type"]
        );
        assert_eq!(h["access-control-allow-origin"], "*");
        assert_eq!(h["cache-control"], "no-cache");
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert!(h.contains_key("referrer-policy"));
    }
    let (status, body) = app.public_get("/widget/missing.js").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    error_of(&body);

    let no_redirects = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let root = no_redirects.get(app.url("/")).send().await.unwrap();
    assert!(root.status().is_redirection());
    assert_eq!(root.headers()["location"], "/examples/");
    let page = app.client.get(app.url("/examples/")).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert_eq!(page.headers()["x-content-type-options"], "nosniff");
    assert!(page.text().await.unwrap().contains("shop"));
}

#[tokio::test]
async fn precompressed_widget_files_are_served_to_browsers_that_accept_them() {
    let files = tempfile::tempdir().unwrap();
    let dist = files.path().join("dist");
    write(&dist, "app_bg.wasm", b"\0asm\x01\0\0\0 plain");
    write(&dist, "app_bg.wasm.br", b"brotli bytes");
    write(&dist, "app_bg.wasm.gz", b"gzip bytes");
    write(&dist, "loader.js", b"plain only");
    let d = dist.clone();
    let app = spawn_app_with(move |c| c.dist = Some(d)).await;
    let get = |file: &'static str, accept: Option<&'static str>| {
        let mut req = app.client.get(app.url(&format!("/widget/{file}")));
        if let Some(accept) = accept {
            req = req.header("accept-encoding", accept);
        }
        async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{file}");
            let h = resp.headers().clone();
            let encoding = h
                .get("content-encoding")
                .map(|v| v.to_str().unwrap().to_owned());
            let content_type = h["content-type"].to_str().unwrap().to_owned();
            // Caches keep one copy per encoding.
            assert_eq!(
                h.get("vary").map(|v| v.to_str().unwrap()),
                Some("accept-encoding"),
                "{file}"
            );
            (encoding, content_type, resp.bytes().await.unwrap())
        }
    };
    let (enc, ct, body) = get("app_bg.wasm", Some("gzip, deflate, br, zstd")).await;
    assert_eq!(
        (enc.as_deref(), ct.as_str(), &body[..]),
        (Some("br"), "application/wasm", &b"brotli bytes"[..])
    );
    let (enc, ct, body) = get("app_bg.wasm", Some("gzip")).await;
    assert_eq!(
        (enc.as_deref(), ct.as_str(), &body[..]),
        (Some("gzip"), "application/wasm", &b"gzip bytes"[..])
    );
    let (enc, _, body) = get("app_bg.wasm", None).await;
    assert_eq!((enc, &body[..]), (None, &b"\0asm\x01\0\0\0 plain"[..]));
    let (enc, _, body) = get("loader.js", Some("gzip, br")).await;
    assert_eq!((enc, &body[..]), (None, &b"plain only"[..]));
}

#[tokio::test]
async fn without_directories_nothing_static_is_served() {
    let app = spawn_app().await;
    assert_eq!(
        app.public_get("/widget/widget.js").await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.public_get("/examples/").await.0, StatusCode::NOT_FOUND);
    assert_eq!(app.public_get("/").await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn public_api_cors_follows_the_allowlist_and_is_open_in_the_demo() {
    let app = spawn_app_with(|c| c.cors_origins = vec!["https://shop.example".into()]).await;
    let id = app.fixed_checkout("10", "USD").await;
    let path = format!("/api/v1/public/checkouts/{id}");
    let allowed = app
        .client
        .get(app.url(&path))
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let other = app
        .client
        .get(app.url(&path))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url(&format!("{path}/payment")))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    assert_eq!(
        preflight.headers()["access-control-allow-origin"],
        "https://shop.example"
    );

    let demo = spawn_app_with(|c| c.demo = true).await;
    let id = demo.fixed_checkout("10", "USD").await;
    let resp = demo
        .client
        .get(demo.url(&format!("/api/v1/public/checkouts/{id}")))
        .header("origin", "https://anything.example")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
}

/// The CORS layer wraps each public handler, not the route: a method the route does not take
/// still gets a preflight answer (OPTIONS) or a 405 with `Allow`, the envelope and the CORS
/// headers, and a rate-limited route's preflight is not counted against the client.
#[tokio::test]
async fn public_routes_answer_preflights_and_other_methods_with_cors() {
    let app = spawn_app_with(|c| {
        c.cors_origins = vec!["https://shop.example".into()];
        c.limits.public_per_second = 1;
        c.limits.public_burst = 1;
    })
    .await;
    let id = app.fixed_checkout("10", "USD").await;
    let status = app.url(&format!("/api/v1/public/checkouts/{id}/status"));
    for _ in 0..3 {
        let preflight = app
            .client
            .request(Method::OPTIONS, &status)
            .header("origin", "https://shop.example")
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "if-none-match")
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status(), StatusCode::OK);
        let headers = preflight.headers();
        assert_eq!(
            headers["access-control-allow-origin"],
            "https://shop.example"
        );
        assert_eq!(headers["access-control-allow-methods"], "GET,POST");
        assert_eq!(headers["access-control-max-age"], "600");
    }
    let polled = app
        .client
        .get(&status)
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(polled.status(), StatusCode::OK, "preflights took no token");
    assert_eq!(polled.headers()["access-control-expose-headers"], "etag");

    let refused = app
        .client
        .delete(&status)
        .header("origin", "https://shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(refused.headers()["allow"], "GET,HEAD");
    assert_eq!(
        refused.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
    let body: Value = refused.json().await.unwrap();
    assert_eq!(error_of(&body).0, "method_not_allowed");
}

#[tokio::test]
async fn the_server_refuses_to_start_with_the_demo_key_outside_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDatabase::new().await;
    let mut config = test_config(dir.path());
    db.apply(&mut config);
    config.merchant_api_key =
        checkout_server::config::Secret::new(checkout_server::config::DEMO_MERCHANT_KEY);
    let refused = checkout_server::start(config.clone()).await.err().unwrap();
    assert!(
        refused.to_string().contains("CHECKOUT_MERCHANT_API_KEY"),
        "{refused}"
    );
    config.demo = true;
    let demo = checkout_server::start(config).await.unwrap();
    demo.stop().await.unwrap();
}

#[tokio::test]
async fn public_api_cors_is_open_by_default_and_the_merchant_api_never_answers_it() {
    let app = spawn_app().await;
    let id = app.fixed_checkout("10", "USD").await;
    let public = app
        .client
        .get(app.url(&format!("/api/v1/public/checkouts/{id}")))
        .header("origin", "https://any-shop.example")
        .send()
        .await
        .unwrap();
    assert_eq!(public.headers()["access-control-allow-origin"], "*");
    assert!(!public
        .headers()
        .contains_key("access-control-allow-credentials"));
    let merchant = app
        .client
        .get(app.url(&format!("/api/v1/checkouts/{id}")))
        .bearer_auth(MERCHANT_KEY)
        .header("origin", "https://any-shop.example")
        .send()
        .await
        .unwrap();
    assert!(!merchant
        .headers()
        .contains_key("access-control-allow-origin"));
    let preflight = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/checkouts"))
        .header("origin", "https://any-shop.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(!preflight
        .headers()
        .contains_key("access-control-allow-origin"));
}

/// `(method, path)` of every operation a document lists.
fn operations_of(doc: &Value) -> BTreeSet<(String, String)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .filter(|k| ["get", "post", "put", "delete", "patch"].contains(&k.as_str()))
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect()
}

#[tokio::test]
async fn the_served_document_lists_only_routes_that_exist_and_its_links_resolve() {
    let app = spawn_app().await;
    let (status, served) = app.public_get("/api/openapi.json").await;
    assert_eq!(status, StatusCode::OK);
    // The test server configures the sandbox alone and is no demo: the other providers'
    // webhooks and the demo's test controls answer 404 and are not in the document it serves.
    let unconfigured = [
        "/webhooks/calypso",
        "/webhooks/inqud",
        "/webhooks/coinsph",
        "/api/v1/public/checkouts/{id}/test-actions",
    ];
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .filter(|(_, p)| !unconfigured.contains(p))
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    assert_eq!(operations_of(&served), expected);
    for path in unconfigured {
        let (status, _) = app.public_post(path, serde_json::json!({})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }

    // Every link names an operation the served document has, and parameters it takes.
    let mut parameters = std::collections::BTreeMap::new();
    for item in served["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            let names: BTreeSet<String> = op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| p["name"].as_str().unwrap().to_owned())
                .collect();
            parameters.insert(op["operationId"].as_str().unwrap().to_owned(), names);
        }
    }
    let mut links = 0;
    for item in served["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            for response in op["responses"].as_object().unwrap().values() {
                for (name, link) in response["links"].as_object().into_iter().flatten() {
                    let target = link["operationId"].as_str().unwrap();
                    let takes = parameters
                        .get(target)
                        .unwrap_or_else(|| panic!("link {name} to a missing {target}"));
                    for parameter in link["parameters"].as_object().unwrap().keys() {
                        assert!(takes.contains(parameter), "{name}: {target} {parameter}");
                    }
                    links += 1;
                }
            }
        }
    }
    assert!(
        links >= 10,
        "the create operations link to what uses their ids"
    );
    let full: Value = serde_json::from_str(DOCUMENT).unwrap();
    let pick = &full["paths"]["/api/v1/public/checkouts/{id}/payment"]["post"];
    assert_eq!(
        pick["responses"]["200"]["links"]["SandboxPay"]["operationId"],
        "sandboxPay"
    );
}

/// The schema of a query parameter of an operation of the file.
fn query_schema(doc: &Value, path: &str, name: &str) -> Value {
    doc["paths"][path]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .unwrap()["schema"]
        .clone()
}

/// What the document refuses, the server refuses (400 naming the field), and what it allows
/// the server takes: the constraints Schemathesis found missing once, kept from coming back.
#[tokio::test]
async fn the_server_enforces_what_the_document_states_and_nothing_more() {
    let doc: Value = serde_json::from_str(DOCUMENT).unwrap();
    let app = spawn_app().await;
    let id = app.fixed_checkout("10", "USD").await;
    let events = format!("/api/v1/checkouts/{id}/events");
    for (listing, documented) in [
        ("/api/v1/checkouts", "/api/v1/checkouts"),
        ("/api/v1/deliveries", "/api/v1/deliveries"),
        (events.as_str(), "/api/v1/checkouts/{id}/events"),
    ] {
        let limit = query_schema(&doc, documented, "limit");
        assert_eq!(
            (&limit["type"], &limit["minimum"], &limit["maximum"]),
            (&Value::from("integer"), &Value::from(1), &Value::from(100))
        );
        let cursor = query_schema(&doc, documented, "cursor");
        assert!(cursor["pattern"].as_str().unwrap().starts_with("^[+"));
        for (query, field) in [
            ("limit=", "limit"),
            ("limit=0", "limit"),
            ("limit=101", "limit"),
            ("limit=x", "limit"),
            ("cursor=", "cursor"),
            ("limit=&cursor=", "limit"),
            ("cursor=nonsense", "cursor"),
        ] {
            let (status, body) = app.merchant_get(&format!("{listing}?{query}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{listing}?{query}");
            assert_eq!(
                error_of(&body).1.as_deref(),
                Some(field),
                "{listing}?{query}"
            );
        }
        for query in ["limit=1", "limit=100"] {
            let (status, _) = app.merchant_get(&format!("{listing}?{query}")).await;
            assert_eq!(status, StatusCode::OK, "{listing}?{query}");
        }
    }

    let fixed = |extra: Value| {
        let mut body = serde_json::json!({
            "name": "Order", "type": "FIXED_PRICE",
            "fixedAmount": {"amount": "10", "currency": "USD"},
        });
        body.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        body
    };
    let refused = [
        (
            fixed(serde_json::json!({"fixedAmount": {"amount": "1", "currency": ""}})),
            "fixedAmount.currency",
        ),
        (
            serde_json::json!({"name": "x", "type": "NO_PRICE", "amountCurrency": ""}),
            "amountCurrency",
        ),
        (fixed(serde_json::json!({"name": " \n "})), "name"),
        (fixed(serde_json::json!({"name": "a".repeat(201)})), "name"),
        (
            fixed(serde_json::json!({"name": format!("{} ", "a".repeat(200))})),
            "name",
        ),
        (
            fixed(serde_json::json!({"description": "a\u{1}b"})),
            "description",
        ),
        (
            fixed(serde_json::json!({"returnUrl": "ftp://shop.example"})),
            "returnUrl",
        ),
        (
            fixed(serde_json::json!({"returnUrl": "https://"})),
            "returnUrl",
        ),
        (
            fixed(serde_json::json!({"clientOrderId": ""})),
            "clientOrderId",
        ),
        (
            fixed(serde_json::json!({"clientOrderId": "é".repeat(129)})),
            "clientOrderId",
        ),
        (fixed(serde_json::json!({"currencies": []})), "currencies"),
        (
            fixed(serde_json::json!({"currencies": [{"code": "BTC", "network": "TRON"}]})),
            "currencies[0]",
        ),
        (fixed(serde_json::json!({"minAmount": "1"})), "minAmount"),
        (
            serde_json::json!({"name": "x", "type": "NO_PRICE", "amountCurrency": "USD", "suggestedAmounts": ["1"]}),
            "suggestedAmounts",
        ),
    ];
    for (body, field) in refused {
        let (status, answer) = app.merchant_post("/api/v1/checkouts", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(
            error_of(&answer).1.as_deref(),
            Some(field),
            "{body}: {answer}"
        );
    }
    // Lengths are characters as sent (as `maxLength` counts), an explicit null is an absent
    // field, and codes take any letter case.
    let accepted = [
        fixed(serde_json::json!({"clientOrderId": "é".repeat(128), "name": "ñ".repeat(200)})),
        fixed(serde_json::json!({"description": null, "amountCurrency": null, "returnUrl": null})),
        fixed(
            serde_json::json!({"fixedAmount": {"amount": "10", "currency": "usd"},
            "currencies": [{"code": "btc", "network": "bitcoin"}]}),
        ),
    ];
    for body in accepted {
        let (status, answer) = app.merchant_post("/api/v1/checkouts", body.clone()).await;
        assert_eq!(status, StatusCode::CREATED, "{body}: {answer}");
    }
    let schemas = &doc["components"]["schemas"];
    for variant in schemas["CreateCheckoutRequest"]["oneOf"]
        .as_array()
        .unwrap()
    {
        let props = &variant["properties"];
        for field in ["name", "description", "clientOrderId", "returnUrl"] {
            assert!(props[field]["maxLength"].is_number(), "{field}");
        }
        assert_eq!(props["currencies"]["minItems"], 1);
    }
    assert!(schemas["PriceCurrency"]["pattern"].is_string());

    for (key, status) in [
        (
            "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
            StatusCode::BAD_REQUEST,
        ),
        ("0f8fad5b-d9cb-469f-a165-70867728950e", StatusCode::CREATED),
        ("7c9e6679742540de944be07fc1f90ae7", StatusCode::CREATED),
    ] {
        let body = serde_json::json!({"idempotencyKey": key, "amountCurrency": "USD"});
        let (got, answer) = app.merchant_post("/api/v1/widgets", body).await;
        assert_eq!(got, status, "{key}: {answer}");
    }
    let uuid = &schemas["CreateWidgetRequest"]["oneOf"][0]["properties"]["idempotencyKey"];
    assert!(uuid["pattern"]
        .as_str()
        .unwrap()
        .contains("-4[0-9a-fA-F]{3}-"));
}
