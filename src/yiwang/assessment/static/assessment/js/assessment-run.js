/* 考核结果 chart: the total per unit as horizontal bars, from the #assessment-chart JSON block (the
   ranking table under the chart carries the same data).  A static file: the Content-Security-Policy
   allows no inline script. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.getElementById("assessment-chart");
  var target = document.getElementById("chart-totals");
  if (!source || !target || typeof echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(target);
  chart.setOption({
    aria: {enabled: true},
    grid: {left: 8, right: 24, bottom: 8, top: 16, containLabel: true},
    xAxis: {type: "value", max: 100},
    yAxis: {type: "category", data: data.units.slice().reverse()},
    series: [{name: data.label, type: "bar", itemStyle: {color: "#1d4ed8"}, data: data.totals.slice().reverse()}],
    tooltip: {trigger: "axis", renderMode: "richText"}
  });
});
