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
  function prefetch() {
    var origin = new URL(base).origin;
    var elements = document.querySelectorAll("app-widget[id]:not([widget-key])");
    for (var i = 0; i < elements.length; i++) {
      var api = (elements[i].getAttribute("api-base") || "").trim() || origin;
      var url =
        api.replace(/\/+$/, "") + "/api/v1/public/checkouts/" + encodeURIComponent(elements[i].id);
      if (!(url in prefetched)) {
        prefetched[url] = fetch(url, { mode: "cors" });
        // A failure is the widget's to report when it takes the answer, not the console's now.
        prefetched[url].catch(function () {});
      }
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
        module.define(base);
      });
    })
    .catch(function (error) {
      console.error("checkout-widget failed to load from " + base, error);
    });
})();
