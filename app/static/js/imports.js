// Import pages: while an import is being checked or run, poll its state and move the progress bar.
// Leaving the page changes nothing: the state lives on the server, and this page picks it up again.
(function () {
  "use strict";
  var panel = document.querySelector("[data-import-poll]");
  if (!panel) return;
  var url = panel.getAttribute("data-import-poll");
  var bar = document.getElementById("import-progress");
  function set(id, value) {
    var el = document.getElementById(id);
    if (el && value !== null && value !== undefined) el.textContent = value;
  }
  function tick() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) return setTimeout(tick, 2000);
        if (bar) {
          bar.max = data.total_rows || 1;
          bar.value = data.processed_rows;
        }
        set("progress-done", data.processed_rows);
        set("progress-rate", data.rate);
        set("progress-left", data.seconds_left);
        set("import-state", data.state);
        if (data.state === "running" || data.state === "validating") {
          setTimeout(tick, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(function () { setTimeout(tick, 2000); });
  }
  setTimeout(tick, 500);
})();
