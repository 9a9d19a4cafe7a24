// Front-end code a merchant might write: react to every status change of every widget on the
// page. `detail.id` and `detail.status` are all most pages need; the rest is there when useful.
document.addEventListener("statusChanged", function (event) {
  var detail = event.detail;
  var line = document.createElement("li");
  line.textContent = new Date().toLocaleTimeString() + "  " + detail.status + "  " + JSON.stringify(detail);
  document.getElementById("log").appendChild(line);
  if (detail.status === "SUCCESS") {
    // Show the order as paid — but fulfil it from the server's signed webhook, never from here.
    document.title = "Paid — thank you";
  }
});
