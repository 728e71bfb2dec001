// Purchase order page: a scanner ends each code with Enter. In a form marked data-scan-steps,
// Enter in any field but the last moves on to the next field instead of submitting, so
// "scan item, scan bin, type quantity, Enter" books one receipt.
(function () {
  "use strict";
  document.querySelectorAll("form[data-scan-steps]").forEach(function (form) {
    var fields = Array.prototype.slice.call(form.querySelectorAll("input:not([type=hidden]), select"));
    fields.forEach(function (field, index) {
      field.addEventListener("keydown", function (event) {
        if (event.key !== "Enter" || index === fields.length - 1) return;
        if (!field.value) return; // nothing scanned yet: let the browser say what is missing
        event.preventDefault();
        fields[index + 1].focus();
        if (fields[index + 1].select) fields[index + 1].select();
      });
    });
  });
})();
