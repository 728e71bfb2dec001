// GS1 codes (a supplier's DataMatrix, GS1-128 or GS1 QR) carry the lot, the expiry and the serial
// besides the product. Wherever a form has fields named lot, expires_on or serials (or ending in
// -lot, -expires_on, -serials, as in a list of lines), a GS1 scan fills them in: a scan into one
// of the form's fields, or the page's address (?lot=…&expires_on=…&serial=…), which is how the
// Scan page and the keyboard-wedge look-up open an item after reading a GS1 code.
(function () {
  "use strict";
  var GS1_TEXT = /^(\]C1|\]d2|\]Q3|\]e0|\(\d{2,4}\)|01\d{14})|\x1d/;

  function fields(scope, name) {
    return Array.prototype.filter.call(scope.querySelectorAll("input, textarea, select"), function (el) {
      var n = el.name || "";
      return n === name || n.slice(-name.length - 1) === "-" + name;
    });
  }

  function set(el, value) {
    if (el.tagName === "SELECT") {
      var option = Array.prototype.find.call(el.options, function (o) {
        return o.value === value || o.text.trim() === value || o.dataset.code === value;
      });
      if (!option) return false;
      value = option.value;
    }
    el.value = value;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  }

  function addSerial(el, serial) {
    var parts = el.value.split(/[\s,;]+/).filter(Boolean);
    if (parts.indexOf(serial) < 0) parts.push(serial);
    return set(el, parts.join(el.tagName === "TEXTAREA" ? "\n" : ", "));
  }

  // Fills what the code carries into the scope's fields; answers how many fields it filled.
  function prefill(scope, gs1) {
    if (!scope || !gs1) return 0;
    var filled = 0;
    if (gs1.lot) fields(scope, "lot").forEach(function (el) { if (set(el, gs1.lot)) filled++; });
    if (gs1.expires_on) fields(scope, "expires_on").forEach(function (el) { if (set(el, gs1.expires_on)) filled++; });
    if (gs1.serial) fields(scope, "serials").forEach(function (el) { if (addSerial(el, gs1.serial)) filled++; });
    return filled;
  }

  // The address the Scan page opens an item at: the item's page with what the code carried.
  function itemUrl(id, gs1) {
    var query = [];
    [["lot", gs1 && gs1.lot], ["expires_on", gs1 && gs1.expires_on], ["serial", gs1 && gs1.serial]].forEach(function (pair) {
      if (pair[1]) query.push(pair[0] + "=" + encodeURIComponent(pair[1]));
    });
    return "/items/" + id + (query.length ? "?" + query.join("&") : "");
  }

  function fromAddress() {
    var params = new URLSearchParams(window.location.search);
    var gs1 = { lot: params.get("lot"), expires_on: params.get("expires_on"), serial: params.get("serial") };
    if (!gs1.lot && !gs1.expires_on && !gs1.serial) return 0;
    return prefill(document, gs1);
  }

  function hasGs1Fields(form) {
    return fields(form, "lot").length + fields(form, "expires_on").length + fields(form, "serials").length > 0;
  }

  // A keyboard-wedge scan into an item field (wedge.js resolves it and says what it found).
  document.addEventListener("inventory:scanned", function (event) {
    var detail = event.detail || {};
    if (detail.gs1 && event.target.form) prefill(event.target.form, detail.gs1);
  });

  // A GS1 code typed or scanned into any text field of a form that has lot fields (the receiving
  // form's code field): look it up and fill the lot in, leaving the code itself for the form.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (!el.form || el.tagName !== "INPUT" || !GS1_TEXT.test(el.value || "") || !hasGs1Fields(el.form)) return;
    fetch("/api/v1/scan?code=" + encodeURIComponent(el.value.trim()), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (found) {
      if (found && found.gs1) prefill(el.form, found.gs1);
    }, function () { /* offline: the form still submits the code itself */ });
  });

  // A scanner types a GS1 code's group separator as Ctrl+]: keep it in a text field of such a form,
  // or the lot would swallow the fields after it (wedge.js keeps it in the bursts it reads itself).
  document.addEventListener(
    "keydown",
    function (event) {
      var el = event.target;
      if (event.defaultPrevented || !event.ctrlKey || event.altKey || event.metaKey) return;
      if (event.key !== "]" && event.code !== "BracketRight") return;
      if (el.tagName !== "INPUT" || !el.form || !hasGs1Fields(el.form) || typeof el.setRangeText !== "function") return;
      event.preventDefault();
      el.setRangeText("\x1d", el.selectionStart, el.selectionEnd, "end");
    },
    true
  );

  window.inventoryGs1 = { prefill: prefill, itemUrl: itemUrl, fromAddress: fromAddress };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fromAddress);
  else fromAddress();
})();
