/* 办件统计 chart: draws the bars and the on-time line from the #report-data JSON block; the series
   names come translated in #report-labels.  A static file: the Content-Security-Policy allows no inline script. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.getElementById("report-data");
  if (!source || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var labels = JSON.parse(document.getElementById("report-labels").textContent);
  var chart = echarts.init(document.getElementById("chart-report"));
  chart.setOption({
    aria: {enabled: true},
    tooltip: {trigger: "axis", renderMode: "richText"},  // drawn on the canvas: no inline styles (CSP)
    legend: {data: [labels.total, labels.closed, labels.on_time_rate]},
    grid: {left: 8, right: 16, bottom: 8, top: 40, containLabel: true},
    xAxis: {type: "category", data: data.labels},
    yAxis: [{type: "value", minInterval: 1}, {type: "value", min: 0, max: 100}],
    series: [
      {name: labels.total, type: "bar", data: data.total, itemStyle: {color: "#1d4ed8"}},
      {name: labels.closed, type: "bar", data: data.closed, itemStyle: {color: "#15803d"}},
      {name: labels.on_time_rate, type: "line", yAxisIndex: 1, data: data.on_time_rate}
    ]
  });
});
