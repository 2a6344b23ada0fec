/* 运行监测: draws each chart from the #dashboard-data JSON block; again after htmx swaps the body
   (filters).  Every chart has its table right below it.  Static file: no inline script (CSP). */
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("dashboard-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var series = data[el.getAttribute("data-chart")];
      if (!series) { return; }
      var existing = echarts.getInstanceByDom(el);
      if (existing) { existing.dispose(); }
      var chart = echarts.init(el);
      if (el.getAttribute("data-kind") === "pie") {
        chart.setOption({
          aria: {enabled: true}, tooltip: {trigger: "item", renderMode: "richText"},
          series: [{type: "pie", radius: ["35%", "70%"],
            data: series.labels.map(function (label, i) { return {name: label, value: series.values[i]}; })}]
        });
      } else {
        chart.setOption({
          aria: {enabled: true}, tooltip: {trigger: "axis", renderMode: "richText"},
          grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
          xAxis: {type: "value", minInterval: 1},
          yAxis: {type: "category", inverse: true, data: series.labels},
          series: [{type: "bar", data: series.values, itemStyle: {color: "#1d4ed8"}}]
        });
      }
      el.setAttribute("data-drawn", "1");
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "dashboard-body") { draw(); }
  });
}());
