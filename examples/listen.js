// Front-end code a merchant might write: react to every event of every widget on the page.
// `detail.id` and `detail.status` are all most pages need; the rest is there when useful.
function logLine(name, detail) {
  var line = document.createElement("li");
  line.textContent = new Date().toLocaleTimeString() + "  " + name + "  " + JSON.stringify(detail);
  document.getElementById("log").appendChild(line);
}

document.addEventListener("ready", function (event) {
  // The widget can be used: a page could hide its own placeholder here.
  logLine("ready", event.detail);
});

document.addEventListener("loadError", function (event) {
  // The checkout could not be loaded: `reason` says why, `retryable` whether trying again helps.
  logLine("loadError", event.detail);
});

document.addEventListener("statusChanged", function (event) {
  var detail = event.detail;
  logLine("statusChanged " + detail.status, detail);
  if (detail.status === "SUCCESS") {
    // Show the order as paid — but fulfil it from the server's signed webhook, never from here.
    document.title = "Paid — thank you";
  }
});
