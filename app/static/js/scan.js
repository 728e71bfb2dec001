// The Scan page: codes from the camera (BarcodeDetector, or its npm polyfill on ZXing WebAssembly),
// from a keyboard-wedge scanner (wedge.js hands them to window.inventoryScan) or typed in.
// Look up opens what was scanned; Restock, Withdraw and Move gather a running list that is
// submitted as one batch, under one Idempotency-Key until it succeeds, so a retry never moves twice.
(function () {
  "use strict";
  var root = document.getElementById("scan");
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var FORMATS = ["qr_code", "ean_13", "ean_8", "upc_a", "upc_e", "code_128", "code_39", "itf", "data_matrix"];
  var HINTS = {
    lookup: "Scan an item or a location to open it.",
    restock: "Scan items to add; scan a location to restock there instead of at each item's home.",
    withdraw: "Scan items to take out; scan a location to take them from there instead of each item's home.",
    move: "Scan the source location, then the items, then the destination.",
    count: "Scan the location you are counting, then every unit on it: recorded into the count open there (with no count open, a manager's count replaces what is recorded).",
  };
  var state = { mode: "lookup", at: null, from: null, to: null, lines: [], key: null, busy: false };

  // ---- feedback: a short beep and a buzz for every read ----
  var audio = null;
  function beep(ok) {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      osc.frequency.value = ok ? 880 : 220;
      gain.gain.value = 0.08;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + (ok ? 0.08 : 0.25));
    } catch (e) { /* no audio: the message on screen is enough */ }
    if (navigator.vibrate) navigator.vibrate(ok ? 40 : [60, 40, 60]);
  }

  function say(id, text, kind) {
    var el = $(id);
    if (!el) return;
    el.textContent = text;
    el.className = el.className.replace(/ ?is-(ok|error)/g, "") + (kind ? " is-" + kind : "");
  }

  // ---- modes ----
  function setMode(mode) {
    state.mode = mode;
    say("scan-hint", HINTS[mode]);
    var batch = $("scan-batch");
    if (batch) batch.hidden = mode === "lookup";
    if ($("scan-at-row")) $("scan-at-row").hidden = mode === "move";
    if ($("scan-from-row")) $("scan-from-row").hidden = mode !== "move";
    if ($("scan-to-row")) $("scan-to-row").hidden = mode !== "move";
    changed();
  }
  root.querySelectorAll('input[name="mode"]').forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) setMode(radio.value); });
  });

  // ---- reading codes ----
  function resolve(code) {
    return fetch("/api/v1/scan?code=" + encodeURIComponent(code), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    });
  }

  function scanned(code) {
    code = String(code).trim();
    if (!code) return;
    say("scan-last", "Read: " + code);
    $("scan-unknown").hidden = true;
    resolve(code).then(function (answer) {
      if (answer.status !== 200) {
        beep(false);
        var error = answer.body.error || {};
        // A GS1 code's unknown GTIN is what can be attached (error.scanned), not the whole element string.
        unknown(error.code === "unknown_code" && error.scanned ? error.scanned : code, error.message || "Unknown code.", error.code);
        return;
      }
      beep(true);
      var found = answer.body;
      if (state.mode === "lookup") {
        window.location.href = found.type === "item" ? window.inventoryGs1 ? window.inventoryGs1.itemUrl(found.id, found.gs1) : "/items/" + found.id : "/locations/" + found.id;
      } else if (found.type === "location") {
        placeLocation(found.location);
      } else {
        addItem(found.item, found.gs1);
      }
    }, function () {
      beep(false);
      say("scan-last", "Could not reach the server to look up " + code + ".", "error");
    });
  }
  window.inventoryScan = scanned;

  function unknown(code, message, why) {
    say("scan-last", message, "error");
    if (why === "invalid_gtin" || why === "invalid_gs1") return; // a broken GS1 code: nothing to attach
    $("scan-unknown-code").textContent = code;
    $("scan-unknown").hidden = false;
    $("scan-unknown").dataset.code = code;
    if ($("scan-attach-result")) say("scan-attach-result", "");
  }

  function placeLocation(location) {
    var label = location.path;
    if (state.mode === "move") {
      if (!state.from || (state.lines.length === 0 && !state.to)) {
        state.from = location;
        say("scan-last", "From " + label + ". Now scan the items.", "ok");
      } else {
        state.to = location;
        say("scan-last", "To " + label + ". Check the list and submit.", "ok");
      }
    } else {
      state.at = location;
      var lead = { restock: "Restock at ", withdraw: "Withdraw from ", count: "Counting at " }[state.mode];
      say("scan-last", lead + label + ".", "ok");
      if (state.mode === "count") checkOpenCount(location);
    }
    changed();
  }

  // Count mode: is a count open over this location? Asked at the location's scan, so staff
  // learn before counting a whole shelf, not at Submit.
  function checkOpenCount(location) {
    var status = $("scan-count-status");
    if (!status) return;
    status.hidden = true;
    fetch("/api/v1/counts?state=open&per_page=1&covering=" + encodeURIComponent(location.id), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (answer) {
      if (!state.at || state.at.id !== location.id || state.mode !== "count") return; // a later scan won
      var open = answer.status === 200 && answer.body.items && answer.body.items[0];
      if (open) {
        say("scan-count-status", "Counting into count #" + open.id + " of " + open.location_name + ".", "ok");
      } else if (answer.status !== 200) {
        say("scan-count-status", "Could not check for an open count here.", "error");
      } else if (root.dataset.canAdjust === "true") {
        say("scan-count-status", "No count is open at " + location.path + ": submitting sets the stock to what you count.", "error");
      } else {
        say("scan-count-status", "No count is open at " + location.path + ": ask a manager to open one before you count.", "error");
        beep(false);
      }
      status.hidden = false;
    }, function () {
      say("scan-count-status", "Could not reach the server to check for an open count.", "error");
      status.hidden = false;
    });
  }

  // A GS1 code also says which lot (one line per item and lot), the expiry, a serial (a line
  // collects its serials; the same unit scanned twice counts once) and a count (AI 30/37).
  function addItem(item, gs1) {
    gs1 = gs1 || {};
    var lot = gs1.lot || null;
    var line = state.lines.find(function (l) { return l.item.id === item.id && l.lot === lot; });
    var step = gs1.quantity || 1;
    if (line && gs1.serial && line.serials.indexOf(gs1.serial) >= 0) {
      say("scan-last", item.name + ": serial " + gs1.serial + " is already on the list.", "error");
      return;
    }
    if (line) line.quantity = round(line.quantity + step, item.decimals);
    else {
      line = { item: item, quantity: step, problem: null, lot: lot, expires_on: gs1.expires_on || null, serials: [] };
      state.lines.push(line);
    }
    if (gs1.serial) line.serials.push(gs1.serial);
    say("scan-last", "+" + step + " " + item.name + " (" + item.sku + ")" + (lot ? ", lot " + lot : ""), "ok");
    changed();
  }

  function lotText(line) {
    var parts = [];
    if (line.lot) parts.push("Lot " + line.lot);
    if (line.expires_on) parts.push("expires " + line.expires_on);
    if (line.serials.length) parts.push("serials " + line.serials.join(", "));
    return parts.join(" · ");
  }

  // What the batch says of a line: the lot and serials only for items tracked that way, once
  // scanned batches take them (the page says so: data-batch-lots).
  function batchLine(l) {
    var out = { item_id: l.item.id, quantity: l.quantity };
    if (root.dataset.batchLots !== "true") return out;
    if (l.item.tracking === "lot" && l.lot) {
      out.lot = l.lot;
      if (l.expires_on) out.expires_on = l.expires_on;
    }
    if (l.item.tracking === "serial" && l.serials.length) out.serials = l.serials;
    return out;
  }

  function round(value, places) {
    var f = Math.pow(10, places || 0);
    return Math.round(value * f) / f;
  }

  // ---- the running list ----
  function changed() {
    state.key = null; // a different batch from now on: a fresh Idempotency-Key
    render();
  }

  function render() {
    var body = $("scan-lines");
    if (!body) return;
    if (state.mode !== "move") {
      var nowhere = state.mode === "count" ? "scan the location you are counting" : "each item's home location (scan a location to choose)";
      $("scan-at").textContent = state.at ? state.at.path : nowhere;
      $("scan-at-label").textContent = state.mode === "count" ? "Counting" : "At";
    }
    $("scan-from").textContent = state.from ? state.from.path : "scan the source location";
    $("scan-from").classList.toggle("muted", !state.from);
    $("scan-to").textContent = state.to ? state.to.path : "scan the destination after the items";
    $("scan-to").classList.toggle("muted", !state.to);
    body.textContent = "";
    if (!state.lines.length) {
      var empty = document.createElement("tr");
      empty.className = "scan-empty";
      empty.innerHTML = '<td colspan="3" class="muted">Nothing scanned yet.</td>';
      body.appendChild(empty);
    }
    state.lines.forEach(function (line, index) {
      var row = document.createElement("tr");
      row.dataset.itemId = line.item.id;
      var name = document.createElement("td");
      name.innerHTML = "<strong></strong><br><small class=\"mono\"></small>";
      name.querySelector("strong").textContent = line.item.name;
      name.querySelector("small").textContent = line.item.sku + " · " + (line.item.unit || "");
      if (lotText(line)) {
        var lotLine = document.createElement("small");
        lotLine.className = "scan-lot";
        lotLine.textContent = lotText(line);
        name.appendChild(document.createElement("br"));
        name.appendChild(lotLine);
      }
      if (line.problem) {
        var problem = document.createElement("small");
        problem.className = "field-error";
        problem.setAttribute("role", "alert");
        problem.textContent = line.problem;
        name.appendChild(document.createElement("br"));
        name.appendChild(problem);
      }
      var qty = document.createElement("td");
      qty.className = "num";
      var input = document.createElement("input");
      input.type = "number";
      input.inputMode = line.item.decimals ? "decimal" : "numeric";
      input.min = line.item.decimals ? String(Math.pow(10, -line.item.decimals)) : "1";
      input.step = line.item.decimals ? String(Math.pow(10, -line.item.decimals)) : "1";
      input.value = String(line.quantity);
      input.dataset.index = index;
      input.className = "scan-qty";
      input.setAttribute("aria-label", "Quantity of " + line.item.name);
      qty.appendChild(input);
      var remove = document.createElement("td");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "secondary small scan-remove";
      button.dataset.index = index;
      button.textContent = "✕";
      button.setAttribute("aria-label", "Remove " + line.item.name);
      remove.appendChild(button);
      row.appendChild(name);
      row.appendChild(qty);
      row.appendChild(remove);
      body.appendChild(row);
    });
    var ready = state.lines.length > 0 && (state.mode !== "move" || (state.from && state.to)) && (state.mode !== "count" || state.at);
    var submit = $("scan-submit");
    submit.disabled = !ready || state.busy;
    var verb = { restock: "Restock", withdraw: "Withdraw", move: "Move", count: "Record counts of" }[state.mode] || "Submit";
    var count = state.lines.length;
    submit.textContent = verb + (count ? " " + count + " item" + (count === 1 ? "" : "s") : "");
  }

  if ($("scan-lines")) {
    $("scan-lines").addEventListener("change", function (event) {
      if (!event.target.classList.contains("scan-qty")) return;
      var line = state.lines[Number(event.target.dataset.index)];
      var value = Number(event.target.value);
      if (value > 0) line.quantity = round(value, line.item.decimals);
      changed();
    });
    $("scan-lines").addEventListener("click", function (event) {
      var button = event.target.closest(".scan-remove");
      if (!button) return;
      state.lines.splice(Number(button.dataset.index), 1);
      changed();
    });
    $("scan-clear").addEventListener("click", function () {
      state.lines = [];
      state.at = state.from = state.to = null;
      say("scan-message", "");
      changed();
    });
    $("scan-submit").addEventListener("click", function () { submitBatch(); });
    $("scan-duplicate-add").addEventListener("click", function () { submitBatch("add"); });
    $("scan-duplicate-replace").addEventListener("click", function () { submitBatch("replace"); });
  }

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "scan-" + Date.now() + "-" + Math.random().toString(16).slice(2);
  }

  function submitBatch(countMode) {
    if (state.busy) return;
    if (typeof countMode === "string") state.key = newKey(); // a different request: add or replace
    else countMode = null;
    state.key = state.key || newKey(); // kept until this batch succeeds: a retry is the same request
    var body = {
      mode: state.mode,
      lines: state.lines.map(batchLine),
    };
    if (countMode) body.count_mode = countMode;
    var duplicate = $("scan-duplicate");
    if (duplicate) duplicate.hidden = true;
    if (state.mode === "move") {
      body.from_location_id = state.from && state.from.id;
      body.to_location_id = state.to && state.to.id;
    } else if (state.at) {
      body.location_id = state.at.id;
    }
    state.busy = true;
    render();
    say("scan-message", "Sending…");
    fetch("/api/v1/scan/batches", {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": csrf,
        "Idempotency-Key": state.key,
      },
      body: JSON.stringify(body),
    })
      .then(function (response) {
        return response.json().then(function (answer) { return { status: response.status, body: answer }; });
      })
      .then(function (answer) {
        state.busy = false;
        state.lines.forEach(function (l) { l.problem = null; });
        if (answer.status === 200) {
          var done = answer.body.lines.map(function (l) { return l.quantity + " " + l.unit + " " + l.sku; }).join(", ");
          var verb = { restock: "Restocked", withdraw: "Withdrew", move: "Moved", count: "Counted" }[state.mode];
          if (answer.body.count_id) verb = "Counted into count #" + answer.body.count_id;
          state.lines = [];
          if (state.mode === "move") state.to = null;
          changed();
          say("scan-message", verb + ": " + done + ".", "ok");
          return;
        }
        var error = answer.body.error || {};
        (error.shortages || []).forEach(function (s) {
          var line = state.lines.find(function (l) { return l.item.id === s.item_id; });
          if (line) line.problem = "Only " + s.available + " available; " + s.requested + " asked.";
        });
        render();
        if (error.code === "already_counted" && $("scan-duplicate")) {
          $("scan-duplicate").hidden = false; // a duplicate scan is never counted silently
          say("scan-message", error.message, "error");
          return;
        }
        var fields = error.fields ? " " + Object.values(error.fields).join(" ") : "";
        say("scan-message", (error.message || "Refused.") + fields, "error");
      }, function () {
        state.busy = false;
        render();
        say("scan-message", "No answer from the server. Tap the button again: the same batch is never applied twice.", "error");
      });
  }

  // ---- typing a code ----
  $("scan-manual").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = $("scan-code");
    var code = input.value;
    input.value = "";
    scanned(code);
  });

  // ---- attaching an unknown code to an item (managers) ----
  var attach = $("scan-attach");
  if (attach) {
    attach.addEventListener("submit", function (event) {
      event.preventDefault();
      var code = $("scan-unknown").dataset.code;
      var which = $("scan-attach-item").value;
      resolve(which).then(function (answer) {
        if (answer.status !== 200 || answer.body.type !== "item") {
          say("scan-attach-result", "No item has the code " + which + ".", "error");
          return null;
        }
        var url = "/api/v1/items/" + answer.body.id;
        return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (item) {
            return fetch(url, {
              method: "PATCH",
              credentials: "same-origin",
              headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
              body: JSON.stringify({ barcodes: item.barcodes.concat([code]), version: item.version }),
            }).then(function (r) { return r.json().then(function (b) { return { status: r.status, body: b }; }); });
          })
          .then(function (result) {
            if (result.status === 200) {
              say("scan-attach-result", code + " is now a barcode of " + result.body.name + " (" + result.body.sku + ").", "ok");
            } else {
              var error = result.body.error || {};
              var fields = error.fields ? " " + Object.values(error.fields).join(" ") : "";
              say("scan-attach-result", (error.message || "Refused.") + fields, "error");
            }
          });
      });
    });
  }

  // ---- the camera ----
  var stream = null;
  var detector = null;
  var lastText = "";
  var lastAt = 0;
  var timer = null;

  function makeDetector() {
    if (window.BarcodeDetectionAPI && window.BarcodeDetectionAPI.prepareZXingModule) {
      var wasm = root.dataset.wasmUrl;
      window.BarcodeDetectionAPI.prepareZXingModule({
        overrides: { locateFile: function (path, prefix) { return path.endsWith(".wasm") ? wasm : prefix + path; } },
      });
    }
    return window.BarcodeDetector.getSupportedFormats().then(function (supported) {
      var formats = FORMATS.filter(function (f) { return supported.indexOf(f) >= 0; });
      return new window.BarcodeDetector({ formats: formats.length ? formats : ["qr_code"] });
    });
  }

  function tick() {
    var video = $("scan-video");
    if (!stream || !detector) return;
    if (video.readyState < 2) {
      timer = setTimeout(tick, 150);
      return;
    }
    detector.detect(video).then(function (codes) {
      var now = Date.now();
      codes.forEach(function (code) {
        // The same code held in front of the camera is one read, until it has been away a while.
        if (code.rawValue === lastText && now - lastAt < 2500) {
          lastAt = now;
          return;
        }
        lastText = code.rawValue;
        lastAt = now;
        scanned(code.rawValue);
      });
    }, function () { /* a frame that could not be read */ }).then(function () {
      if (stream) timer = setTimeout(tick, 150);
    });
  }

  function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      say("scan-camera-status", "This browser gives no camera access here (it needs HTTPS). Use a USB scanner or type the code.", "error");
      return;
    }
    if (!window.BarcodeDetector) {
      say("scan-camera-status", "This browser cannot read barcodes. Use a USB scanner or type the code.", "error");
      return;
    }
    say("scan-camera-status", "Starting the camera…");
    beep(true); // unlocks sound on phones: it must start from a tap
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (media) {
        stream = media;
        var video = $("scan-video");
        video.srcObject = media;
        video.hidden = false;
        $("scan-camera-start").hidden = true;
        $("scan-camera-stop").hidden = false;
        return video.play().then(makeDetector);
      })
      .then(function (made) {
        detector = made;
        say("scan-camera-status", "Scanning: hold a code in front of the camera.");
        tick();
      })
      .catch(function (error) {
        stopCamera();
        say("scan-camera-status", "The camera could not start (" + (error && error.name ? error.name : error) + ").", "error");
      });
  }

  function stopCamera() {
    clearTimeout(timer);
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null;
    $("scan-video").hidden = true;
    $("scan-camera-start").hidden = false;
    $("scan-camera-stop").hidden = true;
    say("scan-camera-status", "");
  }

  $("scan-camera-start").addEventListener("click", startCamera);
  $("scan-camera-stop").addEventListener("click", stopCamera);

  var chosen = root.querySelector('input[name="mode"]:checked');
  setMode(chosen ? chosen.value : "lookup");
})();
