/* 纸质等效件: the 打印 button ([data-print]) opens the browser's print dialog. */
document.addEventListener("click", function (event) {
  "use strict";
  var button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (button) { window.print(); }
});
