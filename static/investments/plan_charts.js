/* Charts on the plan page, drawn with the locally served Chart.js from data in #plan-charts. */
(function () {
  "use strict";
  const el = document.getElementById("plan-charts");
  if (!el || typeof Chart === "undefined") return;
  const data = JSON.parse(el.textContent);
  const lang = document.documentElement.lang || "vi";
  const vnd = (v) => new Intl.NumberFormat("vi-VN").format(v) + " ₫";
  const money = { ticks: { callback: (v) => new Intl.NumberFormat(lang, { notation: "compact" }).format(v) } };
  const tooltip = { callbacks: { label: (ctx) => `${ctx.dataset.label}: ${vnd(ctx.raw)}` } };
  const colours = ["#b3261e", "#1f6feb", "#2da44e", "#bf8700", "#8250df"];

  new Chart(document.getElementById("chart-roadmap"), {
    type: "bar",
    data: {
      labels: data.roadmap.map((p) => p.label),
      datasets: [{
        label: "",
        data: data.roadmap.map((p) => [p.start, p.end]),
        backgroundColor: data.roadmap.map((_, i) => colours[i % colours.length]),
      }],
    },
    options: {
      indexAxis: "y",
      animation: false,
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${ctx.raw[0]}–${ctx.raw[1] - 1}` } } },
      scales: {
        x: { min: data.span[0], max: data.span[1], ticks: { stepSize: 1, callback: (v) => (v < data.span[1] ? v : "") } },
        y: { ticks: { callback(v) { const l = this.getLabelForValue(v); return l.length > 28 ? l.slice(0, 27) + "…" : l; } } },
      },
    },
  });

  new Chart(document.getElementById("chart-allocation"), {
    type: "bar",
    data: {
      labels: data.years,
      datasets: data.sources.map((s, i) => ({ label: s.label, data: s.data, backgroundColor: colours[i % colours.length] })),
    },
    options: { animation: false, plugins: { tooltip }, scales: { x: { stacked: true }, y: { stacked: true, ...money } } },
  });

  const keys = ["planned", "allocated", "spent", "delivered"];
  new Chart(document.getElementById("chart-progress"), {
    type: "bar",
    data: {
      labels: data.phases,
      datasets: keys.map((k, i) => ({ label: data.labels[k], data: data.progress[k], backgroundColor: colours[(i + 1) % colours.length] })),
    },
    options: { animation: false, plugins: { tooltip }, scales: { y: money } },
  });
})();
