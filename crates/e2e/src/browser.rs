//! Headless Chromium through ChromeDriver, with the helpers journeys need.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

use crate::{free_port, Env};

pub struct Browser {
    pub client: Client,
    driver: Child,
    /// The profile and scratch directories, removed on close.
    home: std::path::PathBuf,
    env: Env,
}

impl Browser {
    pub async fn start(env: &Env) -> Browser {
        let port = free_port();
        // Everything this browser writes: its profile, and (through TMPDIR) the scratch
        // directories Chromium leaves behind when it is killed (about 100 MB each), removed
        // together when it closes.
        let home = std::env::temp_dir().join(format!("checkout-e2e-chrome-{port}"));
        let scratch = home.join("tmp");
        std::fs::create_dir_all(&scratch).expect("the browser's directory");
        let driver = Command::new(&env.chromedriver)
            .arg(format!("--port={port}"))
            .env("TMPDIR", &scratch)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = home.join("profile");
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
            home,
            env: env.clone(),
        }
    }

    /// Opens `url`, after checking that the page being left did not crash.
    pub async fn goto(&self, url: &str) -> Result<(), String> {
        self.no_crash().await?;
        self.client.goto(url).await.map_err(|e| e.to_string())
    }

    /// Fails when the page has seen an uncaught error: a panic in the widget is a `RuntimeError:
    /// unreachable` that only the page's error handler hears, so a journey could otherwise pass
    /// over a dead widget that still shows its last screen.
    pub async fn no_crash(&self) -> Result<(), String> {
        let script = "return (window.__log || []).filter((line) =>
                        line.startsWith('uncaught: ') || line.startsWith('unhandled rejection: ')
                        || line.includes('panicked at'));";
        let crashes = self.eval(script, vec![]).await;
        match crashes.as_array() {
            Some(lines) if !lines.is_empty() => Err(format!("the page crashed: {crashes}")),
            _ => Ok(()),
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

    /// The screen the widget in `host` shows (`choose`, `pay`, `processing`, `success`, …).
    pub async fn screen(&self, host: &str) -> Option<String> {
        let script = "const h = document.querySelector(arguments[0]);\
                      const r = h && h.shadowRoot && h.shadowRoot.querySelector('.root');\
                      return r ? r.getAttribute('data-screen') : null;";
        self.eval(script, vec![json!(host)])
            .await
            .as_str()
            .map(str::to_owned)
    }

    /// Waits until the widget in `host` shows `screen`.
    pub async fn wait_screen(&self, host: &str, screen: &str) -> Result<(), String> {
        let result = crate::eventually(
            &format!("`{host}` to show the `{screen}` screen"),
            Duration::from_secs(20),
            || async { (self.screen(host).await.as_deref() == Some(screen)).then_some(()) },
        )
        .await;
        if result.is_err() {
            let now = self.screen(host).await;
            return Err(format!("`{host}` shows {now:?}, not `{screen}`"));
        }
        Ok(())
    }

    /// Clicks the first element matching `selector` in `host`'s shadow root.
    pub async fn click(&self, host: &str, selector: &str) -> Result<(), String> {
        let script = "const h = document.querySelector(arguments[0]);\
                      const el = h && h.shadowRoot && h.shadowRoot.querySelector(arguments[1]);\
                      if (!el) return false; el.click(); return true;";
        let clicked = crate::eventually(
            &format!("`{selector}` to be clickable in `{host}`"),
            Duration::from_secs(10),
            || async {
                self.eval(script, vec![json!(host), json!(selector)])
                    .await
                    .as_bool()
                    .filter(|ok| *ok)
            },
        )
        .await;
        clicked.map(|_| ())
    }

    /// Types `text` into the input matching `selector` (as the browser does: value + input).
    pub async fn type_into(&self, host: &str, selector: &str, text: &str) -> Result<(), String> {
        let script = "const h = document.querySelector(arguments[0]);\
                      const el = h && h.shadowRoot && h.shadowRoot.querySelector(arguments[1]);\
                      if (!el) return false; el.focus(); el.value = arguments[2];\
                      el.dispatchEvent(new Event('input', {bubbles: true})); return true;";
        match self
            .eval(script, vec![json!(host), json!(selector), json!(text)])
            .await
        {
            Value::Bool(true) => Ok(()),
            _ => Err(format!("no `{selector}` to type into in `{host}`")),
        }
    }

    /// The statuses of every `statusChanged` event, oldest first, for widgets named `name`
    /// (`data-name`), or all when `None`.
    pub async fn statuses(&self, name: Option<&str>) -> Vec<String> {
        self.events()
            .await
            .into_iter()
            .filter(|e| name.is_none_or(|n| e["target"] == n))
            .filter_map(|e| e["detail"]["status"].as_str().map(str::to_owned))
            .collect()
    }

    /// Waits until the page has received exactly `expected` (in order), failing with what it got.
    pub async fn expect_statuses(
        &self,
        name: Option<&str>,
        expected: &[&str],
    ) -> Result<(), String> {
        let found = crate::eventually(
            &format!("statusChanged events {expected:?}"),
            Duration::from_secs(20),
            || async {
                let got = self.statuses(name).await;
                (got.len() >= expected.len()).then_some(got)
            },
        )
        .await;
        match found {
            Ok(got) if got == expected => Ok(()),
            Ok(got) => Err(format!(
                "statusChanged sequence {got:?}, expected {expected:?}"
            )),
            Err(_) => Err(format!(
                "statusChanged sequence {:?}, expected {expected:?}",
                self.statuses(name).await
            )),
        }
    }

    /// The `detail` of the newest `statusChanged` event.
    pub async fn last_detail(&self) -> Value {
        self.events()
            .await
            .last()
            .map(|e| e["detail"].clone())
            .unwrap_or(Value::Null)
    }

    /// Presses and releases `key` (a character or a `fantoccini::key::Key`) on whatever has focus.
    pub async fn press(&self, key: char) -> Result<(), String> {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let actions = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        self.client
            .perform_actions(actions)
            .await
            .map_err(|e| e.to_string())
    }

    /// Whether the focused element, looking through shadow roots, matches `selector`.
    pub async fn focused_matches(&self, selector: &str) -> bool {
        let script = "let el = document.activeElement;\
                      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;\
                      return !!(el && el.matches && el.matches(arguments[0]));";
        self.eval(script, vec![json!(selector)]).await == Value::Bool(true)
    }

    /// Tabs through the page until `selector` has focus (at most 40 presses), then presses Enter.
    pub async fn tab_to_and_activate(&self, selector: &str) -> Result<(), String> {
        use fantoccini::key::Key;
        for _ in 0..40 {
            if self.focused_matches(selector).await {
                let enter = Key::Enter.to_string().chars().next().expect("a key code");
                return self.press(enter).await;
            }
            let tab = Key::Tab.to_string().chars().next().expect("a key code");
            self.press(tab).await?;
        }
        Err(format!("`{selector}` cannot be reached with the Tab key"))
    }

    /// Sets attribute `name` of the widget in `host` (a change of `theme` or `locale` re-renders
    /// it in place).
    pub async fn set_attribute(&self, host: &str, name: &str, value: &str) -> Result<(), String> {
        let script = "const h = document.querySelector(arguments[0]);\
                      if (!h) return false; h.setAttribute(arguments[1], arguments[2]); return true;";
        match self
            .eval(script, vec![json!(host), json!(name), json!(value)])
            .await
        {
            Value::Bool(true) => Ok(()),
            _ => Err(format!("no `{host}` to set `{name}` on")),
        }
    }

    /// Waits until the focused element (looking through shadow roots) matches `selector`.
    pub async fn wait_focused(&self, selector: &str) -> Result<(), String> {
        crate::eventually(
            &format!("focus on `{selector}`"),
            Duration::from_secs(5),
            || async { self.focused_matches(selector).await.then_some(()) },
        )
        .await
    }

    /// Runs axe-core on the widget in `host` and returns its violations, one line each.
    pub async fn axe(&self, host: &str) -> Result<Vec<String>, String> {
        let source = std::fs::read_to_string(&self.env.axe)
            .map_err(|e| format!("cannot read axe-core at {}: {e}", self.env.axe.display()))?;
        let script = "const done = arguments[arguments.length - 1];\
            if (!window.axe) { (0, eval)(arguments[0]); }\
            axe.run(document.querySelector(arguments[1]), { resultTypes: ['violations'] })\
              .then(r => done(r.violations.map(v => v.id + ': ' + v.help + ' at ' +\
                 v.nodes.map(n => JSON.stringify(n.target)).join(', '))))\
              .catch(e => done(['axe failed: ' + e]));";
        let result = self
            .client
            .execute_async(script, vec![json!(source), json!(host)])
            .await
            .map_err(|e| e.to_string())?;
        Ok(result
            .as_array()
            .map(|v| {
                v.iter()
                    .filter_map(|s| s.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Ends the journey: on failure (a failed step, or a crash in the page) saves the evidence
    /// and fails the test; always closes.
    pub async fn finish(self, journey: &str, result: Result<(), String>) {
        let result = match result {
            Ok(()) => self.no_crash().await,
            failed => failed,
        };
        if let Err(message) = &result {
            self.save_failure(journey).await;
            self.close().await;
            panic!("journey `{journey}` failed: {message}");
        }
        self.close().await;
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
        let _ = std::fs::remove_dir_all(&self.home);
    }
}
