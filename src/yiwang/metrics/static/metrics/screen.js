/* 视窗系统: draws the charts from the #screen-data JSON block of the figures fragment, and again
   after every htmx poll swaps the fragment in.  Static file: the CSP allows no inline script. */
(function () {
  "use strict";
  var charts = {};
  var mapReady = false;
  var text = {color: "#e2e8f0"};

  function chart(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    if (!charts[id]) { charts[id] = echarts.init(el, null, {renderer: "canvas"}); }
    return charts[id];
  }

  function bar(id, data, horizontal) {
    var c = chart(id);
    if (!c) { return; }
    var category = {type: "category", data: data.labels, axisLabel: text};
    var value = {type: "value", minInterval: 1, axisLabel: text, splitLine: {lineStyle: {color: "#1e293b"}}};
    c.setOption({
      aria: {enabled: true}, animation: false, textStyle: text,
      tooltip: {trigger: "axis", renderMode: "richText"},
      grid: {left: 8, right: 16, top: 16, bottom: 8, containLabel: true},
      xAxis: horizontal ? value : category, yAxis: horizontal ? Object.assign(category, {inverse: true}) : value,
      series: [{type: "bar", data: data.values, itemStyle: {color: "#38bdf8"}}]
    });
  }

  function pie(id, data) {
    var c = chart(id);
    if (!c) { return; }
    c.setOption({
      aria: {enabled: true}, animation: false, textStyle: text,
      tooltip: {trigger: "item", renderMode: "richText"},
      series: [{type: "pie", radius: ["35%", "70%"], label: {color: "#e2e8f0"},
        data: data.labels.map(function (label, i) { return {name: label, value: data.values[i]}; })}]
    });
  }

  function region(rows) {
    var c = chart("chart-region");
    if (!c) { return; }
    var max = Math.max.apply(null, [1].concat(rows.map(function (r) { return r.value; })));
    if (mapReady) {
      c.setOption({
        aria: {enabled: true}, animation: false,
        tooltip: {trigger: "item", renderMode: "richText"},
        visualMap: {min: 0, max: max, calculable: false, textStyle: text, inRange: {color: ["#0c4a6e", "#38bdf8"]}},
        series: [{type: "map", map: "yiwang-regions", nameProperty: "name", label: {show: true, color: "#e2e8f0"}, data: rows}]
      });
    } else {
      bar("chart-region", {labels: rows.map(function (r) { return r.name; }), values: rows.map(function (r) { return r.value; })}, true);
    }
  }

  function draw() {
    var source = document.getElementById("screen-data");
    if (!source || typeof echarts === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    bar("chart-status", data.status, false);
    pie("chart-channel", data.channel);
    bar("chart-department", data.department, true);
    bar("chart-top", data.top, true);
    region(data.region);
    var day = document.getElementById("screen-day");
    document.body.setAttribute("data-refreshed", String(Date.now()));
    if (day) { day.setAttribute("data-drawn", "1"); }
  }

  function loadMap() {
    var main = document.getElementById("screen-main");
    if (!main || typeof echarts === "undefined") { draw(); return; }
    fetch(main.getAttribute("data-regions-url"), {credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (geo) {
        if (geo && geo.features && geo.features.length) {
          echarts.registerMap("yiwang-regions", geo);
          mapReady = true;
          if (charts["chart-region"]) { charts["chart-region"].clear(); }
        }
        draw();
      })
      .catch(draw);
  }

  document.addEventListener("DOMContentLoaded", loadMap);
  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail && event.detail.target && event.detail.target.id === "screen-body") { draw(); }
  });
}());
