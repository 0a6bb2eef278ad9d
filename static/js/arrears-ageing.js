// The arrears ageing chart (Chart.js, served from static/vendor): one stacked bar per route or use
// type, a segment per days-past-due bucket; the figures come from the JSON block the page carries.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("ageing-data");
    var canvas = document.getElementById("chart-ageing");
    if (!source || !canvas || typeof Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    var colours = ["#8ce99a", "#ffd43b", "#ffa94d", "#ff8787", "#e03131", "#862e9c"];
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.buckets.map(function (label, i) {
          return { label: label, data: data.series[i], backgroundColor: colours[i % colours.length] };
        })
      },
      options: { animation: false, responsive: true, maintainAspectRatio: false,
                 scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } }
    });
    canvas.dataset.ready = "1";
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
