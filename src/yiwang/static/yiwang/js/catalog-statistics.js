/* 事项统计 charts: draws the bar and pie charts from the #catalog-stats JSON block (the tables below
   each chart carry the same data).  A static file, so the Content-Security-Policy allows no inline script. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.getElementById("catalog-stats");
  if (!source || typeof echarts === "undefined") { return; }
  var stats = JSON.parse(source.textContent);
  var bar = echarts.init(document.getElementById("chart-department"));
  bar.setOption({
    aria: {enabled: true},
    grid: {left: 8, right: 16, bottom: 8, top: 16, containLabel: true},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", data: stats.by_department.map(function (r) { return r.label; }).reverse()},
    series: [{type: "bar", data: stats.by_department.map(function (r) { return r.count; }).reverse(), itemStyle: {color: "#1d4ed8"}}],
    tooltip: {renderMode: "richText"}  // drawn on the canvas: no inline styles (CSP)
  });
  [["chart-type", stats.by_type], ["chart-depth", stats.by_depth]].forEach(function (pair) {
    var chart = echarts.init(document.getElementById(pair[0]));
    chart.setOption({
      aria: {enabled: true},
      tooltip: {trigger: "item", renderMode: "richText"},
      series: [{type: "pie", radius: ["35%", "65%"], data: pair[1].map(function (r) { return {name: r.label, value: r.count}; })}]
    });
  });
});
