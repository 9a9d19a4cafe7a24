//! Headless Chromium through ChromeDriver, with the helpers journeys need.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

use crate::{free_port, Env};

pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: std::path::PathBuf,
    env: Env,
}

impl Browser {
    pub async fn start(env: &Env) -> Browser {
        let port = free_port();
        let driver = Command::new(&env.chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = std::env::temp_dir().join(format!("checkout-e2e-chrome-{port}"));
        // As root in a container Chromium needs --no-sandbox; the network flags stop it from
        // calling home, which this machine's closed network answers with a stream of errors.
        let args = [
            "--headless=new".to_owned(),
            "--no-sandbox".to_owned(),
            "--disable-gpu".to_owned(),
            "--disable-quic".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1024,900".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({ "binary": env.chromium, "args": args }),
        );
        let url = format!("http://127.0.0.1:{port}");
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = crate::eventually(
            "chromedriver to accept a session",
            Duration::from_secs(20),
            || {
                let mut builder = ClientBuilder::new(connector.clone());
                builder.capabilities(caps.clone());
                let url = url.clone();
                async move { builder.connect(&url).await.ok() }
            },
        )
        .await
        .unwrap();
        Browser {
            client,
            driver,
            profile,
            env: env.clone(),
        }
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub async fn eval(&self, script: &str, args: Vec<Value>) -> Value {
        self.client
            .execute(script, args)
            .await
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Text of the first element matching `selector` inside the shadow root of the first
    /// `<app-widget>` matching `host`, or None.
    pub async fn shadow_text(&self, host: &str, selector: &str) -> Option<String> {
        let script = "const host = document.querySelector(arguments[0]);\
                      const el = host && host.shadowRoot && host.shadowRoot.querySelector(arguments[1]);\
                      return el ? el.textContent : null;";
        self.eval(script, vec![json!(host), json!(selector)])
            .await
            .as_str()
            .map(str::to_owned)
    }

    /// Waits until the shadow element exists and returns its text.
    pub async fn wait_shadow_text(&self, host: &str, selector: &str) -> Result<String, String> {
        crate::eventually(
            &format!("`{selector}` inside `{host}`'s shadow root"),
            Duration::from_secs(15),
            || self.shadow_text(host, selector),
        )
        .await
    }

    /// Every `statusChanged` event the host page has received, oldest first.
    pub async fn events(&self) -> Vec<Value> {
        match self.eval("return window.__events || [];", vec![]).await {
            Value::Array(events) => events,
            _ => vec![],
        }
    }

    /// Saves a screenshot and the page's console log for a failed step.
    pub async fn save_failure(&self, journey: &str) {
        let dir = self.env.artifacts.join(journey);
        let _ = std::fs::create_dir_all(&dir);
        if let Ok(png) = self.client.screenshot().await {
            let _ = std::fs::write(dir.join("screenshot.png"), png);
        }
        let log = self
            .eval("return (window.__log || []).join('\\n');", vec![])
            .await;
        let events = self.events().await;
        let text = format!(
            "console:\n{}\n\nstatusChanged events:\n{}\n",
            log.as_str().unwrap_or(""),
            serde_json::to_string_pretty(&events).unwrap_or_default()
        );
        let _ = std::fs::write(dir.join("console.log"), text);
        eprintln!(
            "saved the failure's screenshot and console log in {}",
            dir.display()
        );
    }

    /// Ends the session (closing Chromium) and stops ChromeDriver.
    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Runs a journey's steps in `browser`; on failure saves the evidence, closes everything, and
/// fails the test with the step's message.
pub async fn journey<F, Fut>(name: &str, browser: Browser, steps: F)
where
    F: FnOnce(Browser) -> Fut,
    Fut: std::future::Future<Output = (Browser, Result<(), String>)>,
{
    let (browser, result) = steps(browser).await;
    if let Err(message) = &result {
        browser.save_failure(name).await;
        browser.close().await;
        panic!("journey `{name}` failed: {message}");
    }
    browser.close().await;
}
