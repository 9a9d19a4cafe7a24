/*
 * checkout-widget loader: the one file a merchant's page references.
 *
 *   <script src="https://pay.example.com/widget/widget.js"></script>
 *   <app-widget id="CCO-…"></app-widget>
 *
 * It finds its own URL, imports the widget module and its WebAssembly from the same directory,
 * and defines <app-widget>. A classic script (not a module) so it also works from a plain tag;
 * no inline code and no eval, so it runs under a strict Content-Security-Policy.
 */
(function () {
  "use strict";
  var self = document.currentScript;
  var src = self && self.src;
  if (!src) {
    // Loaded in a way that hides the current script (e.g. injected late): find it by name.
    var tags = document.querySelectorAll('script[src*="widget.js"]');
    src = tags.length ? tags[tags.length - 1].src : location.href;
  }
  var base = new URL(".", src).href;
  if (window.__checkoutWidgetLoading) return;
  // The module and the WebAssembly download side by side: the glue would only ask for the
  // WebAssembly once it had arrived and run.
  var wasm = fetch(base + "checkout-widget_bg.wasm");
  // Each checkout on the page is asked for while the WebAssembly loads; the widget takes the
  // answer for exactly the URL it would request (once), else it asks itself. Only reads: a
  // widget key (which creates a checkout) is never prefetched.
  var prefetched = (window.__checkoutWidgetPrefetch = window.__checkoutWidgetPrefetch || {});
  // The URL must be the widget's own byte for byte (src/server_url.rs; tests/checkout_url.rs
  // runs both on the same ids): attributes lose the whitespace Rust's str::trim drops (not
  // String.prototype.trim's, which differs in U+0085 and U+FEFF), and every byte of the id but
  // A-Z a-z 0-9 - . _ ~ is percent-encoded (encodeURIComponent leaves ! ' ( ) * as they are).
  var SPACE = "[\\t-\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]+";
  var EDGE_SPACE = new RegExp("^" + SPACE + "|" + SPACE + "$", "g");
  function attribute(element, name) {
    return (element.getAttribute(name) || "").replace(EDGE_SPACE, "");
  }
  function encodeSegment(text) {
    return encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
  }
  function checkoutUrl(element, origin) {
    var id = attribute(element, "id");
    // A widget key wins over an id, as in the widget; keys are never prefetched.
    if (!id || attribute(element, "widget-key")) return null;
    var api = attribute(element, "api-base") || origin;
    try {
      return api.replace(/\/+$/, "") + "/api/v1/public/checkouts/" + encodeSegment(id);
    } catch (malformed) {
      // A lone surrogate, which the widget reads as U+FFFD: it asks for that itself.
      return null;
    }
  }
  // The payer's words too, unless English (built in): the language the widget negotiates
  // (src/i18n.rs Locale::negotiate: the locale attribute, then the browser's languages, on the
  // primary subtag; tests/checkout_url.rs runs both on the same cases), from the file the
  // widget reads (src/locale_files.rs), so they arrive while the WebAssembly compiles.
  var LANGUAGES = ["en", "es", "fr", "de", "pt", "it", "nl", "tr", "ru", "ja", "ar"];
  function language(element) {
    var wanted = [element.getAttribute("locale") || ""].concat(navigator.languages || []);
    for (var i = 0; i < wanted.length; i++) {
      var primary = String(wanted[i]).replace(EDGE_SPACE, "").split(/[-_]/)[0];
      primary = primary.replace(/[A-Z]/g, function (c) {
        return c.toLowerCase();
      });
      if (LANGUAGES.indexOf(primary) >= 0) return primary;
    }
    return "en";
  }
  // Each answer is read to the end here too, while the module downloads, so the widget takes
  // it parsed instead of waiting for the body in a task of its own (during which the browser
  // may lay out and paint the placeholder first). The shape the widget expects (src/api.rs):
  // { status, body }, without body when it is not JSON.
  function read(response) {
    return response.json().then(
      function (body) {
        return { status: response.status, body: body };
      },
      function () {
        return { status: response.status };
      }
    );
  }
  function prefetchOnce(url) {
    if (url && !(url in prefetched)) {
      prefetched[url] = fetch(url, { mode: "cors" }).then(read);
      // A failure is the widget's to report when it takes the answer, not the console's now.
      prefetched[url].catch(function () {});
    }
  }
  function prefetch() {
    var origin = new URL(base).origin;
    var elements = document.querySelectorAll("app-widget");
    for (var i = 0; i < elements.length; i++) {
      if (elements[i].hasAttribute("id")) prefetchOnce(checkoutUrl(elements[i], origin));
      var tag = language(elements[i]);
      if (tag !== "en") prefetchOnce(base + "locales/" + tag + ".json");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", prefetch);
  } else {
    prefetch();
  }
  window.__checkoutWidgetLoading = import(base + "checkout-widget.js")
    .then(function (module) {
      return module.default({ module_or_path: wasm }).then(function () {
        performance.mark("checkout-widget:instantiated"); // where the bench splits its time
        module.define(base);
      });
    })
    .catch(function (error) {
      console.error("checkout-widget failed to load from " + base, error);
    });
})();
