// Keyboard-wedge scanners, on every page. A scanner "types" its code in a fast burst ending in
// Enter. While no field has focus, such a burst is a scan: the Scan page takes it (window.inventoryScan),
// any other page looks the code up and opens the item or location. A burst into a location or item
// field (a <select> whose name mentions "location", or any field with data-scan="location"|"item")
// fills that field with what the code names. A GS1 code's group separators arrive as Ctrl+].
(function () {
  "use strict";
  var MAX_GAP = 80; // ms between a scanner's keystrokes (a busy tablet delivers them in bursts); people type slower
  var MIN_LENGTH = 2; // our short codes: I7, L3
  var buffer = "";
  var last = 0;

  function isField(el) {
    return !!el && (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName));
  }

  function scanKind(el) {
    if (!el || !el.dataset) return null;
    if (el.dataset.scan) return el.dataset.scan;
    if (el.classList.contains("path-search")) return "location"; // paths.js's search box over a location <select>
    if (el.tagName === "SELECT" && /location/.test(el.name || "")) return "location";
    return null;
  }

  function toast(text, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var note = document.createElement("div");
    note.className = "toast toast-" + (kind || "info");
    note.setAttribute("role", "status");
    note.textContent = text;
    box.appendChild(note);
    setTimeout(function () { note.remove(); }, 5000);
  }

  function resolve(code) {
    return fetch("/api/v1/scan?code=" + encodeURIComponent(code), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    });
  }

  function fill(el, kind, code) {
    resolve(code).then(function (answer) {
      if (!answer.ok) {
        toast("Unknown code: " + code, "error");
        return;
      }
      var found = answer.body;
      if (kind !== "code" && found.type !== kind) {
        toast(code + " is " + (found.type === "item" ? "an item" : "a location") + ", not " + (kind === "item" ? "an item" : "a location") + ".", "error");
        return;
      }
      var select = el.tagName === "SELECT" ? el : document.getElementById(el.getAttribute("aria-controls") || "");
      if (select && select.tagName === "SELECT") {
        if (select !== el) {
          el.value = ""; // show every option again, then choose the scanned one
          el.dispatchEvent(new Event("input", { bubbles: true }));
          el = select;
        }
        var option = el.querySelector('option[value="' + found.id + '"]');
        if (!option) {
          toast((found.location || found.item).name + " cannot be chosen here.", "error");
          return;
        }
        el.value = String(found.id);
      } else {
        el.value = code;
      }
      el.dispatchEvent(new Event("change", { bubbles: true }));
      el.dispatchEvent(new CustomEvent("inventory:scanned", { bubbles: true, detail: found }));
    });
  }

  function lookUp(code) {
    resolve(code).then(function (answer) {
      if (!answer.ok) {
        toast("Unknown code: " + code + ". Open Scan to attach it to an item.", "error");
        return;
      }
      if (answer.body.gs1 && window.inventoryGs1) {
        window.location.href = window.inventoryGs1.itemUrl(answer.body.id, answer.body.gs1);
        return;
      }
      window.location.href = "/s/" + (answer.body.type === "item" ? "I" : "L") + answer.body.id;
    });
  }

  document.addEventListener(
    "keydown",
    function (event) {
      var now = Date.now();
      if (event.key === "Control") return; // the modifier alone: wait for the key it goes with
      if (event.ctrlKey && !event.altKey && !event.metaKey && (event.key === "]" || event.code === "BracketRight") && buffer) {
        buffer += "\x1d"; // a scanner types a GS1 code's group separator (FNC1) as Ctrl+]
        last = now;
        event.preventDefault();
        return;
      }
      if (event.ctrlKey || event.altKey || event.metaKey) {
        buffer = "";
        return;
      }
      var el = document.activeElement;
      var kind = scanKind(el);
      if (isField(el) && !kind) {
        buffer = "";
        return;
      }
      if (event.key === "Enter") {
        var code = buffer.trim();
        var burst = code.length >= MIN_LENGTH && now - last <= MAX_GAP * 3;
        buffer = "";
        if (!burst) return;
        event.preventDefault();
        event.stopPropagation();
        if (isField(el) && kind === "code" && window.inventoryScan) {
          el.value = "";
          window.inventoryScan(code, "keyboard");
        } else if (isField(el)) {
          fill(el, kind, code);
        } else if (window.inventoryScan) {
          window.inventoryScan(code, "keyboard");
        } else {
          lookUp(code);
        }
        return;
      }
      if (event.key.length !== 1) return;
      if (now - last > MAX_GAP) buffer = ""; // a slow keystroke: a person, start again
      buffer += event.key;
      last = now;
    },
    true
  );

  window.inventoryWedge = { resolve: resolve, toast: toast };
})();
