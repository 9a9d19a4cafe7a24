/*
 * The bench's floor for time to interactive: the least a checkout element can do, by hand.
 * No framework, no WebAssembly, not shipped (the bench serves it from an origin of its own).
 *
 *   <floor-checkout id="CCO-…" api-base="http://server" locale="de"></floor-checkout>
 *
 * It asks the server for the same public checkout the widget asks for first and for the same
 * language file, then renders the same "Pay with" list (a button per coin and network with
 * its code, name and network) in an open shadow root, and sets its mark at that point, as the
 * widget does once its currency list is on screen.
 */
(function () {
  "use strict";
  var MARK = "checkout-floor:interactive";
  var STYLE =
    ".currencies{list-style:none;margin:0;padding:0;display:grid;gap:8px}" +
    ".currency{display:grid;grid-template-columns:auto 1fr auto;gap:0 10px;width:100%;" +
    "padding:10px 12px;border:1px solid #d0d4dc;border-radius:8px;background:#fff;text-align:start}" +
    ".currency-name{grid-column:2;color:#5f6675}.network{grid-row:1/span 2;grid-column:3}";

  function json(url) {
    return fetch(url, { mode: "cors" }).then(function (response) {
      if (!response.ok) throw new Error(url + " answered " + response.status);
      return response.json();
    });
  }

  function text(tag, className, content) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    element.textContent = content;
    return element;
  }

  function button(option) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "currency";
    b.setAttribute("data-currency", option.code);
    b.setAttribute("data-network", option.network);
    b.appendChild(text("span", "currency-code", option.code));
    b.appendChild(text("span", "currency-name", option.name));
    b.appendChild(text("span", "network", option.networkName));
    return b;
  }

  function render(root, checkout, words) {
    var style = document.createElement("style");
    style.textContent = STYLE;
    var heading = text("h3", "section-title", words.pay_with || "Pay with");
    heading.id = "pay-with";
    var list = document.createElement("ul");
    list.className = "currencies";
    list.setAttribute("aria-labelledby", "pay-with");
    checkout.currencies.forEach(function (option) {
      var item = document.createElement("li");
      item.appendChild(button(option));
      list.appendChild(item);
    });
    root.replaceChildren(style, heading, list);
  }

  customElements.define(
    "floor-checkout",
    class extends HTMLElement {
      connectedCallback() {
        var root = this.shadowRoot || this.attachShadow({ mode: "open" });
        var api = (this.getAttribute("api-base") || "").replace(/\/+$/, "");
        var id = encodeURIComponent(this.getAttribute("id") || "");
        var locale = this.getAttribute("locale");
        var words = locale ? json(api + "/widget/locales/" + locale + ".json") : Promise.resolve({});
        Promise.all([json(api + "/api/v1/public/checkouts/" + id), words])
          .then(function (answers) {
            render(root, answers[0], answers[1]);
            performance.mark(MARK);
          })
          .catch(function (error) {
            console.error("floor-checkout:", error);
          });
      }
    }
  );
})();
