// The counting page: scans from a keyboard-wedge scanner (wedge.js hands codes typed while no
// field has focus to window.inventoryScan) or typed in. A location code chooses where you count,
// an item code fills the item and puts the cursor on the quantity: type it, press Enter.
// count_updated events (live.js) reload the lines, so several people can count at once;
// on the review page they only say that the count changed.
(function () {
  "use strict";
  // The review page: say so when the count changes under the manager (no reload: ticks would be lost).
  // Not for the manager's own change (the approval's event can arrive after its redirect has
  // rendered the result), nor for one from before the page was rendered: the page shows both.
  var changed = document.getElementById("count-changed");
  if (changed) {
    var me = document.body.getAttribute("data-user-email");
    var renderedAt = Date.parse(changed.dataset.renderedAt);
    document.addEventListener("live:count_updated", function (event) {
      var detail = event.detail || {};
      if (String(detail.count_id) !== changed.dataset.countId) return;
      if (me && detail.actor_email === me) return;
      if (Date.parse(detail.timestamp) <= renderedAt) return;
      changed.hidden = false;
    });
  }
  var root = document.getElementById("count-page");
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var hint = $("count-hint");

  function say(text) { if (hint) hint.textContent = text; }

  function chooseLocation(found, code) {
    var box = $("location_id"); // the location picker's box (picker.js) offers only the count's places
    if (!box) return;
    box.dispatchEvent(new CustomEvent("picker:code", { detail: { code: code, done: function (chosen) {
      say(chosen ? "Counting at " + found.location.path + ". Scan an item."
        : found.location.path + " is not part of this count (or holds no stock).");
    } } }));
  }

  function chooseItem(code, found) {
    var item = $("item");
    var qty = $("counted");
    if (!item || !qty) return;
    item.value = code;
    qty.value = "";
    qty.focus();
    say(found.item.name + " (" + found.item.sku + "): how many do you see?");
  }

  if ($("count-form") && window.inventoryWedge) {
    window.inventoryScan = function (code) {
      window.inventoryWedge.resolve(code).then(function (answer) {
        if (!answer.ok) { say("Unknown code: " + code); return; }
        if (answer.body.type === "location") chooseLocation(answer.body, code);
        else chooseItem(code, answer.body);
      });
    };
  }

  var timer = null;
  function reload() {
    fetch(root.dataset.linesUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) $("count-lines-wrap").innerHTML = html; });
  }
  document.addEventListener("live:count_updated", function (event) {
    if (String(event.detail.count_id) !== root.dataset.countId) return;
    clearTimeout(timer);
    timer = setTimeout(reload, 150); // a burst of counts: one reload
  });
})();
