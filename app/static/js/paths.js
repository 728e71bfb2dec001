// Location selectors: a <select data-searchable> gets a search box above it that keeps only
// the options whose full path holds every word typed ("shelf 03", "B2"), in any part.
// With data-lookup (a tree too big to list in the page: only sites and aisles are there), the
// words also go to that URL, and the paths it answers are added to the list.
(function () {
  "use strict";

  function enhance(select) {
    if (select.dataset.searchReady) return;
    select.dataset.searchReady = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "path-search";
    // A tree too big to list: the box says that typing finds what is not listed.
    box.placeholder = select.dataset.lookup ? "Type to find a shelf or bin…" : "Type any part of the path…";
    box.setAttribute("aria-label", "Search " + (select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "locations"));
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    if (select.dataset.lookup) {
      var timer = null;
      box.addEventListener("input", function () {
        clearTimeout(timer);
        var typed = box.value.trim();
        if (!typed) return;
        timer = setTimeout(function () { lookup(select, box, typed); }, 200);
      });
    }
    box.addEventListener("input", function () { narrow(select, box); });
  }

  function narrow(select, box) {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    var firstShown = null;
    Array.prototype.forEach.call(select.options, function (option) {
      var text = option.textContent.toLowerCase();
      var shown = !option.value || words.every(function (w) { return text.indexOf(w) !== -1; });
      option.hidden = !shown;
      option.disabled = !shown;
      if (shown && option.value && firstShown === null) firstShown = option;
    });
    var current = select.options[select.selectedIndex];
    if (words.length && firstShown && (!current || current.hidden || !current.value)) {
      select.value = firstShown.value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  function lookup(select, box, typed) {
    fetch(select.dataset.lookup + "?q=" + encodeURIComponent(typed), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(function (found) {
        if (box.value.trim() !== typed) return; // typed on meanwhile: a later answer follows
        var known = {};
        Array.prototype.forEach.call(select.options, function (option) { known[option.value] = true; });
        found.forEach(function (location) {
          if (known[String(location.id)]) return;
          var option = document.createElement("option");
          option.value = String(location.id);
          option.textContent = location.path;
          select.appendChild(option);
        });
        narrow(select, box); // filter again, now with the answers
      })
      .catch(function () { /* offline: the listed sites and aisles still work */ });
  }

  function scan(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select[data-searchable]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSwap", function (event) { scan(event.target); });
})();
