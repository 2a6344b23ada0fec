// 智能客服 widget: the button opens the chat panel (without JavaScript it is a link to /help/assistant/).
(function () {
  "use strict";
  function init(root) {
    var toggle = root.querySelector("[data-assistant-toggle]");
    var panel = root.querySelector("#assistant-panel");
    var close = root.querySelector("[data-assistant-close]");
    var input = root.querySelector("#assistant-input");
    var log = root.querySelector("#assistant-log");
    if (!toggle || !panel) return;
    function open() {
      panel.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
      if (input) input.focus();
    }
    function hide() {
      panel.hidden = true;
      toggle.setAttribute("aria-expanded", "false");
      toggle.focus();
    }
    toggle.addEventListener("click", function (event) {
      event.preventDefault();
      if (panel.hidden) open(); else hide();
    });
    if (close) close.addEventListener("click", hide);
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") hide();
    });
    var form = root.querySelector(".assistant-form");
    document.body.addEventListener("htmx:afterRequest", function (event) {
      if (form && event.detail.elt === form && event.detail.successful) form.reset();
    });
    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (log && event.target === log) log.scrollTop = log.scrollHeight;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-assistant]").forEach(init);
  });
})();
