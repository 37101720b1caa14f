// The briefings dashboard: attendance rate per commune as a bar chart (Chart.js).
const data = JSON.parse(document.getElementById("rates-data").textContent);
new Chart(document.getElementById("rates"), {
  type: "bar",
  data: {
    labels: data.labels,
    datasets: [
      {
        label: "%",
        data: data.rates,
        backgroundColor: data.rates.map((r) => (r >= 90 ? "#198754" : r >= 70 ? "#ffc107" : "#dc3545")),
      },
    ],
  },
  options: { plugins: { legend: { display: false } }, scales: { y: { min: 0, max: 100 } }, animation: false },
});
