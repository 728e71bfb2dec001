/* The twin of app.services.quantities.show(): a quantity written as the pages write it, so
 * a live update never writes "281.0" where the page wrote "281". Items take at most 3 places. */
(function () {
  "use strict";
  var MAX_DECIMALS = 3;
  var grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: MAX_DECIMALS });
  window.showQuantity = function (value, unit, sign) {
    if (value === null || value === undefined || value === "") return "";
    var number = Number(value);
    if (!isFinite(number)) return String(value);
    var text = grouped.format(Math.abs(number)); // "1,234.5": the server's format(value, ",f")
    if (number < 0 && text !== "0") text = (sign ? "\u2212" : "-") + text;
    else if (sign && number > 0) text = "+" + text;
    return unit ? text + " " + unit : text;
  };
})();
