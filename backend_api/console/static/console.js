// Dastyar console behaviour. No inline scripts anywhere (the pages' CSP forbids them).
(function () {
  "use strict";
  var faDigits = function (text) {
    return String(text).replace(/[0-9]/g, function (d) { return "۰۱۲۳۴۵۶۷۸۹"[d]; });
  };

  // Buttons with data-confirm ask first (retire, ignore, remove).
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = (button && button.getAttribute("data-confirm")) ||
      event.target.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  }, true);

  // Charts: each <canvas data-chart='{"type":..,"labels":[..],"series":[{"label":..,"data":[..]}]}'>.
  var palette = ["#0b5cab", "#c0392b", "#1d6b36", "#b9770e", "#6c3483", "#117a8b", "#5d6d7e",
    "#a04000", "#2e86c1", "#7d3c98"];
  function drawCharts(root) {
    if (typeof window.Chart === "undefined") { return; }
    window.Chart.defaults.font.family = "Vazirmatn, Tahoma, sans-serif";
    window.Chart.defaults.color = "#1c2733";
    root.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) { return; }
      canvas.dataset.drawn = "1";
      var spec = JSON.parse(canvas.getAttribute("data-chart"));
      var round = spec.type === "doughnut" || spec.type === "pie";
      new window.Chart(canvas, {
        type: spec.type,
        data: {
          labels: spec.labels,
          datasets: spec.series.map(function (s, i) {
            return {
              label: s.label, data: s.data,
              backgroundColor: round ? palette : palette[i % palette.length],
              borderColor: round ? "#fff" : palette[i % palette.length],
              fill: false, tension: 0.2
            };
          })
        },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          indexAxis: spec.horizontal ? "y" : "x",
          locale: "fa-IR",
          plugins: { legend: { rtl: true, display: round || spec.series.length > 1 },
            tooltip: { rtl: true } },
          scales: round ? {} : {
            x: { reverse: !spec.horizontal, ticks: { precision: spec.horizontal && spec.integer ? 0 : undefined, callback: function (v) {
              var label = spec.horizontal ? v : this.getLabelForValue(v);
              return faDigits(label); } } },
            y: { position: "right", ticks: { precision: !spec.horizontal && spec.integer ? 0 : undefined, callback: function (v) {
              var label = spec.horizontal ? this.getLabelForValue(v) : v;
              return faDigits(label); } } }
          }
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });
}());
