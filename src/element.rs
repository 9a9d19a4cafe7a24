//! The custom element glue: `<app-widget>` attributes in, one Leptos app per element.
//!
//! wasm-bindgen cannot subclass `HTMLElement`, so a few lines of JavaScript define the class and
//! forward its lifecycle callbacks here. Each connected element gets an open shadow root, the
//! adopted stylesheet, a session (its own Leptos owner: the checkout, the live stream) and a
//! view of it; disconnecting drops both, which aborts its requests and stops its timers and
//! streams (see `on_cleanup` in the components).
//!
//! Attributes that only change presentation do not reload anything: `theme` is a data
//! attribute of the container, `locale` re-renders the view over the same session. `id`,
//! `widget-key` and `api-base` name another checkout or server, so they start afresh.

use std::cell::{Cell, RefCell};

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::reactive::owner::Owner;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{HtmlElement, ShadowRootInit, ShadowRootMode};

use crate::api::Api;
use crate::components::session::Session;
use crate::components::App;
use crate::i18n::Locale;
use crate::server_url::server_base;
use crate::state::Source;
use crate::styles;

pub const TAG: &str = "app-widget";
/// Attributes whose change re-creates the widget's content.
pub const OBSERVED_ATTRIBUTES: [&str; 5] = ["id", "widget-key", "api-base", "locale", "theme"];
/// Where each element's instance number is kept, so callbacks find their instance.
const INSTANCE_PROPERTY: &str = "__checkoutWidgetInstance";

#[wasm_bindgen(inline_js = r#"
export function define_element(tag, observed, connected, disconnected, changed) {
  if (customElements.get(tag)) return false;
  customElements.define(tag, class extends HTMLElement {
    static get observedAttributes() { return observed; }
    connectedCallback() { connected(this); }
    disconnectedCallback() { disconnected(this); }
    attributeChangedCallback(name, before, after) {
      if (before !== after && this.isConnected) changed(this, name);
    }
  });
  return true;
}
"#)]
extern "C" {
    fn define_element(
        tag: &str,
        observed: js_sys::Array,
        connected: &Closure<dyn Fn(HtmlElement)>,
        disconnected: &Closure<dyn Fn(HtmlElement)>,
        changed: &Closure<dyn Fn(HtmlElement, String)>,
    ) -> bool;
}

/// A mounted widget; dropping it unmounts the view and disposes everything it owns.
struct Instance {
    /// The mounted view; replaced when the language changes.
    view: Option<Box<dyn std::any::Any>>,
    session: Session,
    /// Owns the session's signals, apart from the view's, so a re-render keeps them.
    owner: Owner,
    api: Api,
    container: HtmlElement,
    asset_base: String,
}

impl Drop for Instance {
    fn drop(&mut self) {
        self.view = None;
        self.session.stop();
        self.api.abort_all();
    }
}

impl Instance {
    /// Renders the session in `locale`, replacing the view shown so far.
    fn render(&mut self, locale: Locale) {
        self.view = None;
        let (session, api, asset_base) = (self.session, self.api.clone(), self.asset_base.clone());
        let mounted = mount_to(self.container.clone(), move || {
            view! { <App session=session api=api locale=locale asset_base=asset_base /> }
        });
        self.view = Some(Box::new(mounted));
    }

    fn set_theme(&self, host: &HtmlElement) {
        let theme = host.get_attribute("theme");
        self.container
            .set_attribute("data-theme", theme.as_deref().unwrap_or("auto"))
            .ok();
    }
}

thread_local! {
    static ASSET_BASE: RefCell<String> = const { RefCell::new(String::new()) };
    // A list, not a map: a page holds a handful of widgets, and a hash map would add its own
    // copy of the hashing code to every payer's download.
    static INSTANCES: RefCell<Vec<(u32, Instance)>> = const { RefCell::new(Vec::new()) };
    static NEXT_INSTANCE: Cell<u32> = const { Cell::new(1) };
}

pub fn define(asset_base: &str) {
    ASSET_BASE.with(|base| *base.borrow_mut() = asset_base.to_owned());
    let observed = OBSERVED_ATTRIBUTES
        .iter()
        .map(|a| JsValue::from_str(a))
        .collect();
    let connected = Closure::<dyn Fn(HtmlElement)>::new(mount);
    let disconnected = Closure::<dyn Fn(HtmlElement)>::new(unmount);
    let changed = Closure::<dyn Fn(HtmlElement, String)>::new(changed);
    define_element(TAG, observed, &connected, &disconnected, &changed);
    // The element class holds these for the life of the page.
    connected.forget();
    disconnected.forget();
    changed.forget();
}

/// The directory `widget.js` was served from (with a trailing slash); the locale files are there.
fn asset_base() -> String {
    ASSET_BASE.with(|base| base.borrow().clone())
}

/// The server the widget talks to: `api-base` if set, else the origin `widget.js` came from.
pub fn api_base(host: &HtmlElement) -> String {
    server_base(
        host.get_attribute("api-base").as_deref(),
        &origin_of(&asset_base()),
    )
}

/// `https://pay.example.com/widget/` -> `https://pay.example.com`.
fn origin_of(url: &str) -> String {
    web_sys::Url::new(url)
        .map(|u| u.origin())
        .unwrap_or_default()
}

/// The `locale` attribute if it names a supported language, else the browser's preferences.
fn negotiate_locale(host: &HtmlElement) -> Locale {
    let attribute = host.get_attribute("locale");
    let browser: Vec<String> = web_sys::window()
        .map(|w| {
            w.navigator()
                .languages()
                .iter()
                .filter_map(|l| l.as_string())
                .collect()
        })
        .unwrap_or_default();
    Locale::negotiate(attribute.iter().chain(browser.iter()).map(String::as_str))
}

fn mount(host: HtmlElement) {
    unmount(host.clone());
    let root = match host.shadow_root() {
        Some(root) => root,
        None => match host.attach_shadow(&ShadowRootInit::new(ShadowRootMode::Open)) {
            Ok(root) => root,
            Err(_) => return,
        },
    };
    styles::adopt(&root);
    root.set_inner_html("");
    let Some(container) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("div").ok())
        .and_then(|e| e.dyn_into::<HtmlElement>().ok())
    else {
        return;
    };
    container.set_class_name("widget");
    container.set_attribute("part", "container").ok();
    if root.append_child(&container).is_err() {
        return;
    }

    let api = Api::new(&api_base(&host));
    let source = Source::from_attributes(
        host.get_attribute("id").as_deref(),
        host.get_attribute("widget-key").as_deref(),
    );
    let owner = Owner::new();
    let session = owner.with(|| Session::new(api.clone(), host.clone(), source));
    let mut instance = Instance {
        view: None,
        session,
        owner,
        api,
        container,
        asset_base: asset_base(),
    };
    instance.set_theme(&host);
    // Rendering first also starts the page's task executor, which loading needs.
    instance.render(negotiate_locale(&host));
    instance.owner.with(|| session.load());
    crate::timing::mark(crate::timing::MOUNTED_MARK);

    let number = NEXT_INSTANCE.with(|n| {
        let number = n.get();
        n.set(number + 1);
        number
    });
    js_sys::Reflect::set(&host, &INSTANCE_PROPERTY.into(), &JsValue::from(number)).ok();
    INSTANCES.with(|i| i.borrow_mut().push((number, instance)));
}

/// An observed attribute changed on a connected element.
fn changed(host: HtmlElement, name: String) {
    let presentation = matches!(name.as_str(), "theme" | "locale");
    match take(&host) {
        Some((number, mut instance)) if presentation => {
            if name == "theme" {
                instance.set_theme(&host);
            } else {
                instance.render(negotiate_locale(&host));
            }
            INSTANCES.with(|i| i.borrow_mut().push((number, instance)));
        }
        other => {
            js_sys::Reflect::delete_property(&host, &INSTANCE_PROPERTY.into()).ok();
            drop(other);
            mount(host);
        }
    }
}

/// Takes `host`'s instance out of the list (its number stays on the element). Taken out before
/// it is changed or dropped: both run cleanups that may touch the list.
fn take(host: &HtmlElement) -> Option<(u32, Instance)> {
    let number = js_sys::Reflect::get(host, &INSTANCE_PROPERTY.into())
        .ok()
        .and_then(|v| v.as_f64())
        .map(|n| n as u32)?;
    INSTANCES.with(|i| {
        let mut instances = i.borrow_mut();
        let index = instances.iter().position(|(n, _)| *n == number)?;
        Some(instances.swap_remove(index))
    })
}

fn unmount(host: HtmlElement) {
    let instance = take(&host);
    js_sys::Reflect::delete_property(&host, &INSTANCE_PROPERTY.into()).ok();
    drop(instance);
}
