// Location selectors: a <select data-searchable> gets a search box above it that keeps only
// the options whose full path holds every word typed ("shelf 03", "B2"), in any part.
(function () {
  "use strict";

  function enhance(select) {
    if (select.dataset.searchReady) return;
    select.dataset.searchReady = "1";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "path-search";
    box.placeholder = "Type any part of the path…";
    box.setAttribute("aria-label", "Search " + (select.labels && select.labels[0] ? select.labels[0].textContent.trim() : "locations"));
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    box.addEventListener("input", function () {
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
    });
  }

  function scan(root) {
    (root.querySelectorAll ? root : document).querySelectorAll("select[data-searchable]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSwap", function (event) { scan(event.target); });
})();
