/* 流程图 Read-only BPMN viewer (bpmn-js NavigatedViewer): renders #process-diagram from the XML in
   #process-bpmn and marks the active (#process-active) and completed (#process-done) elements. */
(function () {
  "use strict";
  function data(id, fallback) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : fallback;
  }
  document.addEventListener("DOMContentLoaded", function () {
    var container = document.getElementById("process-diagram");
    if (!container || typeof BpmnJS === "undefined") { return; }
    var viewer = new BpmnJS({container: container});
    viewer.importXML(data("process-bpmn", "")).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      (data("process-done", []) || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "task-done"); }
      });
      (data("process-active", []) || []).forEach(function (id) {
        if (registry.get(id)) { canvas.addMarker(id, "task-active"); }
      });
      canvas.zoom("fit-viewport");
      container.setAttribute("data-rendered", "true");
    }).catch(function (err) {
      container.setAttribute("data-error", String(err && err.message || err));
      container.textContent = "流程图无法显示";
    });
  });
})();
