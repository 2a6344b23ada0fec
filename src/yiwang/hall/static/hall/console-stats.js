/* 大厅统计: the average wait per business category as a bar chart, drawn from the #hall-wait-chart
   JSON block (the table below the chart carries the same data).  A static file, so the
   Content-Security-Policy allows no inline script. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.getElementById("hall-wait-chart");
  var target = document.getElementById("chart-wait");
  if (!source || !target || typeof echarts === "undefined") { return; }
  var rows = JSON.parse(source.textContent);
  var chart = echarts.init(target);
  chart.setOption({
    aria: {enabled: true},
    grid: {left: 8, right: 16, bottom: 8, top: 16, containLabel: true},
    xAxis: {type: "value", name: "min"},
    yAxis: {type: "category", data: rows.map(function (r) { return r.label; }).reverse()},
    series: [{type: "bar", data: rows.map(function (r) { return r.wait === null ? 0 : r.wait; }).reverse(), itemStyle: {color: "#1d4ed8"}}],
    tooltip: {renderMode: "richText"}
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
