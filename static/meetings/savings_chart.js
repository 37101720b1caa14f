// The yearly savings page: travel allowance saved per commune (data from json_script "savings-data").
(() => {
  const source = document.getElementById('savings-data');
  const canvas = document.getElementById('savings-chart');
  if (!source || !canvas || typeof Chart === 'undefined') return;
  const data = JSON.parse(source.textContent);
  new Chart(canvas, {
    type: 'bar',
    data: {labels: data.labels, datasets: [{label: '₫', data: data.dong, backgroundColor: '#198754'}]},
    options: {indexAxis: 'y', plugins: {legend: {display: false}}, animation: false, maintainAspectRatio: true},
  });
})();
