// The bounded picker (WAI-ARIA combobox with a listbox) for a location, an item or a supplier:
// at most 50 choices at a time, fetched as the person types any part of the name or path; the
// person's recent choices first; a scan (keyboard wedge: wedge.js, or Enter on a typed code)
// chooses what the code names. Typing never chooses by itself: the hidden value is set only
// when an option is picked (click, tap, Enter on the highlighted one, or a scan), and typing
// after a choice clears it, so the form cannot send a place the person did not pick.
(function () {
  "use strict";
  var RECENT = 6;
  var counter = 0;

  function recentKey(box) {
    return "picker-recent:" + (document.body.dataset.userEmail || "") + ":" + (box.dataset.kind || "location");
  }

  function recent(box) {
    try {
      return JSON.parse(window.localStorage.getItem(recentKey(box)) || "[]");
    } catch (e) {
      return [];
    }
  }

  function remember(box, choice) {
    var list = recent(box).filter(function (c) { return String(c.id) !== String(choice.id); });
    list.unshift({ id: choice.id, label: choice.label });
    try {
      window.localStorage.setItem(recentKey(box), JSON.stringify(list.slice(0, RECENT)));
    } catch (e) { /* private mode: no recent list */ }
  }

  function setup(box) {
    if (box.dataset.pickerReady) return;
    box.dataset.pickerReady = "1";
    var input = box.querySelector("[role=combobox]");
    var hidden = box.querySelector("input[type=hidden]");
    var list = box.querySelector("[role=listbox]");
    var status = box.querySelector("[data-picker-status]");
    var options = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function say(text) {
      if (status) status.textContent = text || "";
    }

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === index ? "true" : "false"); });
      active = index;
      if (index >= 0 && items[index]) {
        input.setAttribute("aria-activedescendant", items[index].id);
        items[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function show(choices, note) {
      options = choices;
      list.innerHTML = "";
      choices.forEach(function (choice, i) {
        var li = document.createElement("li");
        li.id = input.id + "-option-" + i;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.className = "picker-option" + (choice.recent ? " picker-recent" : "");
        li.textContent = choice.label;
        li.addEventListener("mousedown", function (event) { event.preventDefault(); }); // keep focus in the box
        li.addEventListener("click", function () { choose(choice); });
        list.appendChild(li);
      });
      list.hidden = choices.length === 0;
      input.setAttribute("aria-expanded", choices.length ? "true" : "false");
      active = -1;
      say(note !== undefined ? note : choices.length ? choices.length + " found" : "");
    }

    function choose(choice) {
      clearTimeout(timer); // a look-up still waiting to run or to answer must not reopen the list
      asked++;
      hidden.value = String(choice.id);
      input.value = choice.label;
      box.classList.remove("picker-unchosen");
      remember(box, choice);
      close();
      say("Chosen: " + choice.label);
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
    }

    function fetchChoices(params) {
      var url = box.dataset.source + (box.dataset.source.indexOf("?") === -1 ? "?" : "&") + params;
      var ticket = ++asked;
      return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (rows) {
          if (ticket !== asked) return null; // a later request answers instead
          return rows.map(function (row) { return { id: row.id, label: row.label || row.path || row.name }; });
        })
        .catch(function () { return null; });
    }

    function lookUp() {
      var typed = input.value.trim();
      if (!typed) {
        var mine = recent(box).map(function (c) { return { id: c.id, label: c.label, recent: true }; });
        show(mine, mine.length ? "Your recent choices" : "Type any part of the name");
        return;
      }
      fetchChoices("q=" + encodeURIComponent(typed)).then(function (rows) {
        if (rows === null) return;
        var mine = recent(box).map(function (c) { return String(c.id); });
        rows.sort(function (a, b) { return (mine.indexOf(String(a.id)) === -1) - (mine.indexOf(String(b.id)) === -1); });
        show(rows, rows.length ? undefined : "Nothing matches “" + typed + "”");
      });
    }

    function byCode(code, done) {
      clearTimeout(timer); // the typing's own look-up would otherwise answer after, and win
      fetchChoices("code=" + encodeURIComponent(code)).then(function (rows) {
        if (rows === null) return;
        if (rows.length === 1) choose(rows[0]);
        else show([], "No " + (box.dataset.kind || "location") + " has the code " + code + " here");
        if (done) done(rows.length === 1);
      });
    }

    input.addEventListener("input", function () {
      if (hidden.value) {
        hidden.value = ""; // typing after a choice un-chooses it: nothing is sent that was not picked
        hidden.dispatchEvent(new Event("change", { bubbles: true }));
      }
      box.classList.toggle("picker-unchosen", input.value.trim() !== "");
      clearTimeout(timer);
      timer = setTimeout(lookUp, 150);
    });
    input.addEventListener("focus", function () {
      if (!hidden.value) lookUp();
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    input.addEventListener("keydown", function (event) {
      var count = options.length;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (list.hidden) lookUp();
        else highlight(count ? (active + 1) % count : -1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(count ? (active - 1 + count) % count : -1);
      } else if (event.key === "Enter") {
        if (active >= 0 && options[active]) {
          event.preventDefault();
          choose(options[active]);
        } else if (!hidden.value && input.value.trim()) {
          event.preventDefault(); // a typed or scanned code: choose what it names, never submit half-chosen
          byCode(input.value.trim());
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    // A page that read a code itself (the counting page's scanner) asks the box to choose it.
    input.addEventListener("picker:code", function (event) {
      byCode(event.detail.code, event.detail.done);
    });
    // A keyboard-wedge scan into the box (wedge.js) names the choice.
    input.addEventListener("inventory:scanned", function (event) {
      var found = event.detail || {};
      var place = found.location || found.item || {};
      var label = place.path || (place.sku ? place.sku + " · " + place.name : place.name);
      choose({ id: found.id, label: label || input.value });
    });
    var form = box.closest("form");
    if (form) {
      form.addEventListener("submit", function (event) {
        if (!hidden.value && input.value.trim()) {
          event.preventDefault();
          box.classList.add("picker-unchosen");
          say("Choose from the list: “" + input.value.trim() + "” is not chosen yet.");
          input.focus();
          lookUp();
        }
      });
    }
    if (!input.id) input.id = "picker-" + ++counter;
  }

  function setupAll(root) {
    (root || document).querySelectorAll("[data-picker]").forEach(setup);
  }

  document.addEventListener("DOMContentLoaded", function () { setupAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { setupAll(event.target); });
  if (document.readyState !== "loading") setupAll(document);
  window.inventoryPicker = { setup: setupAll };
})();
