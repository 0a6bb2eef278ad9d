// Charts of the operations page (Chart.js, served from static/vendor): the figures come from the
// JSON block the page carries, the series' names from the page's language.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("ops-data");
    if (!source || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var names = JSON.parse(document.querySelector(".charts").dataset.labels);
    function line(id, series, options) {
      var canvas = document.getElementById(id);
      var colours = ["#1f6feb", "#d9480f", "#2b8a3e"];
      var chart = new Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: series.map(function (key, i) {
            return { label: names[key], data: data[key], borderColor: colours[i], backgroundColor: colours[i],
                     spanGaps: true, pointRadius: 0, borderWidth: 2, tension: 0.2 };
          })
        },
        options: Object.assign({ animation: false, responsive: true, maintainAspectRatio: false,
                                 scales: { x: { ticks: { maxTicksLimit: 12 } }, y: { beginAtZero: true } } }, options || {})
      });
      canvas.dataset.ready = "1";
      return chart;
    }
    var tps = line("chart-tps", ["tps"]);
    // One thinner line per instance beside the total, so a replica that falls behind shows.
    Object.keys(data.instances || {}).forEach(function (name, i) {
      var colour = ["#74c0fc", "#ffa94d", "#8ce99a", "#e599f7", "#ffd43b"][i % 5];
      tps.data.datasets.push({ label: name, data: data.instances[name], borderColor: colour, backgroundColor: colour,
                               spanGaps: true, pointRadius: 0, borderWidth: 1, borderDash: [4, 3], tension: 0.2 });
    });
    tps.update();
    line("chart-latency", ["mean_ms", "p95_ms"]);
    line("chart-errors", ["error_rate"]);
    line("chart-apdex", ["apdex"], { scales: { x: { ticks: { maxTicksLimit: 12 } }, y: { min: 0, max: 1 } } });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
