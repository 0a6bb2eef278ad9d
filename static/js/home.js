// Charts of the home page's panels (Chart.js, served from static/vendor): each panel carries its
// figures in a JSON block beside its canvas (no inline script: the CSP allows none).
(function () {
  "use strict";
  var colours = ["#1f6feb", "#2b8a3e", "#d9480f", "#7048e8", "#e8590c"];
  function amount(value) { return Number(value).toLocaleString(document.documentElement.lang || "ko"); }
  function draw() {
    if (typeof Chart === "undefined") { return; }
    document.querySelectorAll(".panel-chart").forEach(function (figure) {
      var data = JSON.parse(figure.querySelector(".chart-data").textContent);
      var canvas = figure.querySelector("canvas");
      var y = { beginAtZero: true, stacked: data.stacked, ticks: { callback: amount } };
      if (data.unit === "%") { y = { min: 0, max: 100, ticks: { callback: function (v) { return v + "%"; } } }; }
      var x = { stacked: data.stacked };
      new Chart(canvas, {
        type: data.kind,
        data: {
          labels: data.labels,
          datasets: data.series.map(function (s, i) {
            return { label: s.label, data: s.values, type: s.kind || undefined, order: s.kind ? 0 : 1,
                     borderColor: colours[i % 5], backgroundColor: colours[i % 5], spanGaps: true, tension: 0.2, pointRadius: 2 };
          })
        },
        options: {
          animation: false, responsive: true, maintainAspectRatio: false, indexAxis: data.horizontal ? "y" : "x",
          plugins: { legend: { display: data.series.length > 1 },
                     tooltip: { callbacks: { label: function (c) {
                       return c.dataset.label + ": " + amount(c.parsed[data.horizontal ? "x" : "y"]) + (data.unit === "%" ? "%" : "");
                     } } } },
          scales: data.horizontal ? { x: y, y: x } : { x: x, y: y }
        }
      });
      canvas.dataset.ready = "1";
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
