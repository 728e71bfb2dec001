// Dashboard charts (Chart.js from npm), refreshed every 30 seconds with the cards.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || !window.Chart) return;
  var data = JSON.parse(source.textContent);
  var ink = "#5d6b7e";
  Chart.defaults.color = ink;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;

  function shortDate(iso) {
    var d = new Date(iso + "T00:00:00Z");
    return d.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
  }

  var movement = new Chart(document.getElementById("movement-chart"), {
    type: "bar",
    data: {
      labels: data.movements.map(function (d) { return shortDate(d.date); }),
      datasets: [
        { label: "Movements in", data: data.movements.map(function (d) { return d.moves_in; }), backgroundColor: "#3d8b5f" },
        { label: "Movements out", data: data.movements.map(function (d) { return d.moves_out; }), backgroundColor: "#e08a3c" },
      ],
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } },
      scales: { x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkipPadding: 12 } }, y: { beginAtZero: true } },
    },
  });

  var categories = new Chart(document.getElementById("category-chart"), {
    type: "bar",
    data: {
      labels: data.categories.map(function (c) { return c.name; }),
      datasets: [{ label: "Items", data: data.categories.map(function (c) { return c.item_count; }), backgroundColor: "#1f5fbf" }],
    },
    options: {
      indexAxis: "y",
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { x: { beginAtZero: true }, y: { grid: { display: false }, ticks: { autoSkip: false } } },
    },
  });

  function refresh() {
    fetch(source.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (fresh) {
        if (!fresh) return;
        movement.data.labels = fresh.movements.map(function (d) { return shortDate(d.date); });
        movement.data.datasets[0].data = fresh.movements.map(function (d) { return d.moves_in; });
        movement.data.datasets[1].data = fresh.movements.map(function (d) { return d.moves_out; });
        movement.update();
        categories.data.labels = fresh.categories.map(function (c) { return c.name; });
        categories.data.datasets[0].data = fresh.categories.map(function (c) { return c.item_count; });
        categories.update();
      })
      .catch(function () {});
  }
  setInterval(refresh, 30000);
})();
