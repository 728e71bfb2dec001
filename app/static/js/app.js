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

  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (toggle) {
      var open = document.body.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    } else if (document.body.classList.contains("nav-open") && !event.target.closest("#sidebar")) {
      document.body.classList.remove("nav-open");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
      document.body.classList.remove("nav-open");
    }
  });

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
