// Page behaviour shared by every page: htmx settings, the sidebar toggle, confirmations.
(function () {
  "use strict";
  if (window.htmx) {
    // Let form errors (422 invalid, 409 conflict) swap in like successes; other errors do not.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true },
      { code: "409", swap: true },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  // The sidebar on narrow screens: a drawer opened by the menu button. Opening moves focus into
  // it; Escape, a click outside or tabbing out closes it, and focus returns to the button.
  function navToggle() { return document.querySelector("[data-nav-toggle]"); }

  function setNav(open, returnFocus) {
    var toggle = navToggle();
    document.body.classList.toggle("nav-open", open);
    if (toggle) toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var first = document.querySelector("#sidebar a[aria-current], #sidebar a");
      if (first) first.focus();
    } else if (returnFocus && toggle) {
      toggle.focus();
    }
  }

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      setNav(!document.body.classList.contains("nav-open"), false);
    } else if (document.body.classList.contains("nav-open") && !event.target.closest("#sidebar")) {
      setNav(false, false);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
      setNav(false, true);
    }
  });

  document.addEventListener("focusin", function (event) {
    if (document.body.classList.contains("nav-open") && !event.target.closest("#sidebar, [data-nav-toggle]")) {
      setNav(false, false);
    }
  });

  // A table too wide for its box scrolls inside it: mark it (data-scroll: start, middle, end)
  // so CSS fades the cut edge, show a hint above it, and let the keyboard reach and scroll it.
  function tableLabel(wrap) {
    var table = wrap.querySelector("table");
    var caption = table && table.querySelector("caption");
    var section = wrap.closest("section, .panel");
    var heading = section && section.querySelector("h2, h3");
    var title = document.querySelector("main h1");
    var name = (caption || heading || title || {}).textContent || "Table";
    return name.trim() + " (scrolls sideways)";
  }

  function markScrollable(wrap) {
    var overflow = wrap.scrollWidth > wrap.clientWidth + 1;
    var hint = wrap.previousElementSibling;
    if (!hint || !hint.classList.contains("scroll-hint")) {
      if (!overflow) return;
      hint = document.createElement("p");
      hint.className = "scroll-hint";
      hint.setAttribute("aria-hidden", "true");
      hint.textContent = "More columns: swipe or scroll sideways →";
      wrap.parentNode.insertBefore(hint, wrap);
    }
    hint.hidden = !overflow;
    if (!overflow) {
      delete wrap.dataset.scroll;
      if (wrap.dataset.scrollRegion) {
        ["tabindex", "role", "aria-label", "data-scroll-region"].forEach(function (a) { wrap.removeAttribute(a); });
      }
      return;
    }
    if (!wrap.hasAttribute("tabindex")) {
      wrap.setAttribute("tabindex", "0");
      wrap.setAttribute("role", "region");
      wrap.setAttribute("aria-label", tableLabel(wrap));
      wrap.dataset.scrollRegion = "1";
    }
    var atStart = wrap.scrollLeft <= 1;
    var atEnd = wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1;
    wrap.dataset.scroll = atStart ? "start" : (atEnd ? "end" : "middle");
  }

  function markAllScrollable() {
    document.querySelectorAll(".table-wrap").forEach(markScrollable);
  }

  document.addEventListener("scroll", function (event) {
    if (event.target.classList && event.target.classList.contains("table-wrap")) markScrollable(event.target);
  }, true);
  window.addEventListener("resize", markAllScrollable);
  document.addEventListener("htmx:afterSettle", markAllScrollable);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", markAllScrollable);
  } else {
    markAllScrollable();
  }

  // Forms marked data-confirm ask first (the server still refuses what is not allowed).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  }, true);

  // A select marked data-autosubmit submits its form when changed (no inline handler: the CSP refuses those).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.dataset && field.dataset.autosubmit !== undefined && field.form) {
      field.form.submit();
    }
  });

  // A failed htmx request tells the user instead of silently doing nothing.
  document.body.addEventListener("htmx:responseError", function (event) {
    var box = document.getElementById("toasts");
    if (!box) return;
    var toast = document.createElement("div");
    toast.className = "flash flash-error";
    toast.setAttribute("role", "alert");
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    toast.textContent = status === 403 ? "Your role does not allow that." : "That did not work (error " + status + "). Please reload the page.";
    box.appendChild(toast);
    setTimeout(function () { toast.remove(); }, 6000);
  });
})();
