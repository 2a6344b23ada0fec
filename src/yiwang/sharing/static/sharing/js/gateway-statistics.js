/* 共享网关调用统计 charts: draws the per-day stacked bars (by result), the per-resource and the
   per-consumer bars from the #gateway-stats JSON block (the same dictionary as
   /workbench/sharing/gateway/statistics/data/; the tables under each chart carry the same data).
   A static file: the Content-Security-Policy allows no inline script. */
document.addEventListener("DOMContentLoaded", function () {
  "use strict";
  var source = document.getElementById("gateway-stats");
  var labelSource = document.getElementById("gateway-stats-labels");
  if (!source || !labelSource || typeof echarts === "undefined") { return; }
  var stats = JSON.parse(source.textContent);
  var labels = JSON.parse(labelSource.textContent);
  var colours = {ok: "#15803d", refused: "#b45309", error: "#b91c1c", not_found: "#64748b"};
  var results = ["ok", "refused", "error", "not_found"];

  var day = echarts.init(document.getElementById("chart-day"));
  day.setOption({
    aria: {enabled: true},
    legend: {top: 0},
    grid: {left: 8, right: 16, bottom: 8, top: 32, containLabel: true},
    xAxis: {type: "category", data: stats.per_day.map(function (r) { return r.day.slice(5); })},
    yAxis: {type: "value", minInterval: 1},
    series: results.map(function (key) {
      return {name: labels.results[key], type: "bar", stack: "calls", itemStyle: {color: colours[key]},
              data: stats.per_day.map(function (r) { return r[key]; })};
    }),
    tooltip: {trigger: "axis", renderMode: "richText"}  // drawn on the canvas: no inline styles (CSP)
  });

  function bars(id, rows) {
    var chart = echarts.init(document.getElementById(id));
    var names = rows.map(function (r) { return r.label; }).reverse();
    chart.setOption({
      aria: {enabled: true},
      legend: {top: 0},
      grid: {left: 8, right: 16, bottom: 8, top: 32, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: names},
      series: [
        {name: labels.calls, type: "bar", itemStyle: {color: "#1d4ed8"}, data: rows.map(function (r) { return r.calls; }).reverse()},
        {name: labels.errors, type: "bar", itemStyle: {color: colours.error}, data: rows.map(function (r) { return r.errors; }).reverse()},
        {name: labels.refused, type: "bar", itemStyle: {color: colours.refused}, data: rows.map(function (r) { return r.refused; }).reverse()}
      ],
      tooltip: {trigger: "axis", renderMode: "richText"}
    });
  }
  bars("chart-resource", stats.per_resource.slice(0, 20));
  bars("chart-consumer", stats.per_consumer.slice(0, 20));
});
