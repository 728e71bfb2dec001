/* Live updates: a Socket.IO connection (session cookie), a connection indicator, toasts,
 * and in-place updates of the inventory table, the dashboard cards and the item page.
 * Events and payloads: docs/realtime.md. No framework; htmx is used when the page has it. */
(function () {
  "use strict";

  var configNode = document.getElementById("live-config");
  if (!configNode || typeof window.io !== "function") return;
  var config = JSON.parse(configNode.textContent);
  var me = config.userEmail || document.body.getAttribute("data-user-email");
  var indicator = document.getElementById("live-indicator");
  var LABELS = { connected: "Live", reconnecting: "Reconnecting…", disconnected: "Offline" };
  var VERBS = { restock: "restocked", withdraw: "withdrawn", adjust: "counted", transfer: "transferred" };
  var numberFormat = new Intl.NumberFormat("en-US");
  var moneyFormat = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  // The shop's currency symbol (CURRENCY_SYMBOL), as the server's money filter writes it.
  function money(value) { return (value < 0 ? "-" : "") + (config.currencySymbol || "$") + moneyFormat.format(Math.abs(value)); }

  function setState(state) {
    if (!indicator) return;
    indicator.setAttribute("data-state", state);
    indicator.textContent = LABELS[state];
    indicator.title = "Live updates: " + LABELS[state].toLowerCase();
  }

  /* ---------- toasts ---------- */
  function toast(text, kind) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var node = document.createElement("div");
    node.className = "toast toast-" + (kind || "info");
    node.setAttribute("role", "status");
    node.textContent = text;
    node.addEventListener("click", function () { node.remove(); });
    box.appendChild(node);
    while (box.children.length > 5) box.firstElementChild.remove();
    setTimeout(function () { node.classList.add("toast-leaving"); }, 7000);
    setTimeout(function () { node.remove(); }, 7600);
  }

  function units(p) { return p.unit || "units"; } // the item's own unit word: "3 m", "2 boxes"
  function byWhom(p) { return p.user_email ? " by " + p.user_email : ""; }
  function mine(p) { return me && p.user_email === me; }

  /* ---------- in-place updates ---------- */
  function setText(node, text) {
    if (!node || node.textContent === text) return;
    node.textContent = text;
    node.classList.remove("live-updated");
    void node.offsetWidth; // restart the highlight animation
    node.classList.add("live-updated");
  }

  function updateRow(itemId, quantity, isLow, locationId, locationQuantity) {
    var row = document.getElementById("item-row-" + itemId);
    if (!row) return;
    setText(row.querySelector('[data-field="quantity"]'), window.showQuantity(quantity));
    var here = row.querySelector('[data-field="location-quantity"]');
    if (here && locationId != null && here.getAttribute("data-location-id") === String(locationId)) {
      setText(here, window.showQuantity(locationQuantity));
    }
    if (typeof isLow !== "boolean") return;
    row.classList.toggle("low-stock", isLow);
    var nameCell = row.querySelector("td");
    var badge = nameCell && nameCell.querySelector(".badge-warn");
    if (isLow && nameCell && !badge) {
      badge = document.createElement("span");
      badge.className = "badge badge-warn";
      badge.title = "Below its threshold";
      badge.textContent = "Low";
      nameCell.appendChild(document.createTextNode(" "));
      nameCell.appendChild(badge);
    } else if (!isLow && badge) {
      badge.remove();
    }
  }

  function updateAlerts(itemId, quantity) {
    document.querySelectorAll('[data-alert-item="' + itemId + '"]').forEach(function (node) {
      setText(node, window.showQuantity(quantity));
    });
  }

  function itemPage(itemId) {
    var main = document.querySelector("main[data-item-id]");
    return main && String(main.getAttribute("data-item-id")) === String(itemId) ? main : null;
  }

  function updateItemPage(itemId, quantity, locationId, locationQuantity, locationName) {
    var main = itemPage(itemId);
    if (!main) return;
    var total = Array.prototype.find.call(main.querySelectorAll('[data-field="quantity"]'), function (node) {
      return !node.closest("tr[data-location-id]");
    });
    setText(total, window.showQuantity(quantity));
    if (locationId == null) return;
    var row = main.querySelector('tr[data-location-id="' + locationId + '"]');
    if (row) {
      setText(row.querySelector('[data-field="location-quantity"]'), window.showQuantity(locationQuantity));
    } else {
      refetchItem(itemId); // a location this page does not list yet
    }
  }

  function addLocationRow(main, entry) {
    var body = main.querySelector("tr[data-location-id]");
    body = body ? body.parentNode : main.querySelector("table tbody");
    if (!body) return;
    var placeholder = body.querySelector("td[colspan]");
    if (placeholder) placeholder.parentNode.remove();
    var row = document.createElement("tr");
    row.setAttribute("data-location-id", entry.location_id);
    var name = document.createElement("td");
    name.textContent = entry.location_name || "Location " + entry.location_id;
    var qty = document.createElement("td");
    qty.className = "num";
    qty.setAttribute("data-field", "location-quantity");
    qty.textContent = window.showQuantity(entry.quantity);
    row.appendChild(name);
    row.appendChild(qty);
    body.appendChild(row);
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { var e = new Error(url + ": " + r.status); e.status = r.status; throw e; }
      return r.json();
    });
  }

  function refetchItem(itemId) {
    return getJSON("/api/v1/items/" + itemId).then(function (item) {
      updateRow(item.id, item.quantity, item.is_low_stock);
      (item.stock || []).forEach(function (entry) {
        updateRow(item.id, item.quantity, item.is_low_stock, entry.location_id, entry.quantity);
      });
      var main = itemPage(item.id);
      if (!main) return;
      updateItemPage(item.id, item.quantity, null);
      (item.stock || []).forEach(function (entry) {
        var row = main.querySelector('tr[data-location-id="' + entry.location_id + '"]');
        if (row) setText(row.querySelector('[data-field="location-quantity"]'), window.showQuantity(entry.quantity));
        else addLocationRow(main, entry);
      });
    }).catch(function (err) {
      if (err.status === 404) removeRow(itemId);
    });
  }

  function removeRow(itemId) {
    var row = document.getElementById("item-row-" + itemId);
    if (row) row.remove();
  }

  var summaryTimer = null;
  function refreshDashboard() {
    if (!document.querySelector("[data-stat]")) return;
    clearTimeout(summaryTimer); // one request for a burst of events
    summaryTimer = setTimeout(function () {
      getJSON("/api/v1/dashboard/summary").then(function (summary) {
        Object.keys(summary).forEach(function (key) {
          var node = document.querySelector('[data-stat="' + key + '"]');
          if (!node) return;
          setText(node, key === "total_value" ? money(summary[key]) : numberFormat.format(summary[key]));
        });
      }).catch(function () {});
    }, 250);
  }

  var resultsTimer = null;
  function refreshResults() {
    var region = document.getElementById("inventory-results");
    if (!region || !window.htmx) return false;
    var busy = region.contains(document.activeElement) ||
      // Typed by someone: a value other than the one the page came with ("1" in the cart box is not typing).
      Array.prototype.some.call(region.querySelectorAll("input"), function (i) { return i.type !== "hidden" && i.value !== i.defaultValue; });
    if (busy) return false; // never wipe what someone is typing
    clearTimeout(resultsTimer);
    resultsTimer = setTimeout(function () {
      window.htmx.ajax("GET", window.location.href, { target: "#inventory-results", swap: "innerHTML" });
    }, 250);
    return true;
  }

  /* ---------- catch-up after a reconnect: refetch what this page shows ---------- */
  function catchUp() {
    refreshDashboard();
    var main = document.querySelector("main[data-item-id]");
    if (main) refetchItem(main.getAttribute("data-item-id"));
    if (!refreshResults()) {
      var rows = document.querySelectorAll("tr[id^='item-row-'][data-item-id]");
      Array.prototype.slice.call(rows, 0, 100).forEach(function (row) { refetchItem(row.getAttribute("data-item-id")); });
    }
  }

  /* ---------- the connection ---------- */
  var socket = window.io({
    path: config.path || "/socket.io",
    transports: config.transports || ["websocket"],
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
  });
  var everConnected = false;
  window.inventoryLive = socket; // for the browser tests and the console

  socket.on("connect", function () {
    setState("connected");
    if (everConnected) catchUp();
    everConnected = true;
  });
  socket.on("disconnect", function () { setState(socket.active ? "reconnecting" : "disconnected"); });
  // `active` is false when the server refused us (logged out, deactivated): stay red.
  socket.on("connect_error", function () { setState(socket.active ? "reconnecting" : "disconnected"); });
  socket.io.on("reconnect_attempt", function () { setState("reconnecting"); });

  socket.on("stock_changed", function (p) {
    updateRow(p.item_id, p.item_quantity, p.is_low_stock, p.location_id, p.quantity_after);
    updateAlerts(p.item_id, p.item_quantity);
    updateItemPage(p.item_id, p.item_quantity, p.location_id, p.quantity_after, p.location_name);
    refreshDashboard();
    if (mine(p)) return;
    if (p.action === "transfer") {
      if (p.delta > 0) {
        toast(p.name + ": " + window.showQuantity(p.delta) + " " + units(p) + " moved to " +
          (p.location_name || "location " + p.location_id) + byWhom(p));
      }
      return;
    }
    toast(p.name + " " + (VERBS[p.action] || p.action) + ": " + window.showQuantity(p.item_quantity_before) +
      " → " + window.showQuantity(p.item_quantity) + " " + units(p) + byWhom(p));
  });

  socket.on("low_stock_alert", function (p) {
    updateRow(p.item_id, p.quantity, true);
    refreshDashboard();
    toast(p.message || p.name + " is low: " + window.showQuantity(p.quantity) + " left", "warn");
  });

  socket.on("alert_acknowledged", function () { refreshDashboard(); });

  socket.on("alert_resolved", function (p) {
    updateAlerts(p.item_id, p.quantity);
    refreshDashboard();
    var row = document.getElementById("alert-" + p.alert_id);
    if (row) row.classList.remove("alert-open");
    toast("Alert resolved: " + p.sku + ". " + p.reason + byWhom(p));
  });

  socket.on("item_created", function (p) {
    refreshDashboard();
    refreshResults();
    if (!mine(p)) toast("New item " + p.name + " (" + p.sku + ")" + byWhom(p));
  });

  socket.on("item_updated", function (p) {
    refreshDashboard();
    if (document.getElementById("item-row-" + p.item_id)) refetchItem(p.item_id);
    if (!mine(p) && itemPage(p.item_id)) toast(p.name + " was edited" + byWhom(p) + "; reload to see every field.");
  });

  socket.on("item_deleted", function (p) {
    removeRow(p.item_id);
    refreshDashboard();
    if (!mine(p)) toast(p.name + " (" + p.sku + ") was deleted" + byWhom(p), itemPage(p.item_id) ? "warn" : "info");
  });

  // Payloads: app/services/requests.py (request_id, state, author_email, actor_email, decided_by_email).
  function requestLabel(p) { return "request" + (p.request_id ? " #" + p.request_id : ""); }

  socket.on("request_submitted", function (p) {
    if (me && p.actor_email === me) return;
    toast("New stock " + requestLabel(p) + (p.author_email ? " from " + p.author_email : ""));
  });

  socket.on("request_decided", function (p) {
    var who = p.decided_by_email || p.actor_email;
    if (me && who === me) return;
    var text = (me && p.author_email === me ? "Your " : "Stock ") + requestLabel(p) + " was " + (p.state || "decided");
    toast(text + (who ? " by " + who : ""), p.state === "rejected" ? "warn" : "info");
  });

  // Job progress (Backups and Reports pages): handed to the page's own script (jobs.js) as DOM events.
  // Counts: the counting page reloads its lines (counts.js); the payload carries no system quantities.
  ["backup_started", "backup_finished", "report_started", "report_ready", "count_updated"].forEach(function (name) {
    socket.on(name, function (p) { document.dispatchEvent(new CustomEvent("live:" + name, { detail: p })); });
  });

  setState("disconnected");
})();
