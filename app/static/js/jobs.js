/* "Back up now" and "Generate now": the job's progress and its result, live.
 * live.js turns the server's backup_* and report_* events into DOM events (live:NAME);
 * this updates the page's status line and reloads its table when the job is done. */
(function () {
  "use strict";

  var status = document.querySelector("[data-job-status]");
  if (!status) return;
  var kind = status.getAttribute("data-job-status"); // "backup" or "report"
  var table = document.getElementById(kind + "s-table");

  function show(text, state) {
    status.hidden = false;
    status.textContent = text;
    status.setAttribute("data-state", state);
  }

  function reloadTable() {
    if (!table) return;
    fetch(window.location.pathname, { credentials: "same-origin" }).then(function (r) { return r.text(); })
      .then(function (html) {
        var doc = new DOMParser().parseFromString(html, "text/html");
        var fresh = doc.getElementById(table.id);
        if (fresh) { table.replaceWith(fresh); table = fresh; }
        var age = doc.getElementById("backup-age");
        var mine = document.getElementById("backup-age");
        if (age && mine) mine.replaceWith(age);
      }).catch(function () {});
  }

  if (kind === "backup") {
    document.addEventListener("live:backup_started", function () { show("Backing up… the result appears here when it is done.", "running"); });
    document.addEventListener("live:backup_finished", function (e) {
      var p = e.detail;
      if (p.outcome === "success") show("Backup done: " + p.file + ", " + p.size + ", in " + p.stored + ".", "done");
      else show("Backup failed: " + (p.error || "see the list below") + ".", "failed");
      reloadTable();
    });
  } else {
    document.addEventListener("live:report_started", function () { show("Generating the report…", "running"); });
    document.addEventListener("live:report_ready", function (e) {
      show("Report ready: " + e.detail.filename + " (" + e.detail.summary + ").", "done");
      reloadTable();
    });
  }
})();
