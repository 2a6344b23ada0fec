/* Yiwang 一网 — small progressive enhancements.  Every page works without this file. */
(function () {
  "use strict";

  // A submitted form cannot be sent twice by a double click: the buttons are disabled right after
  // the browser has collected the form data (the server is idempotent anyway).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-submit-once")) {
      return;
    }
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (button) {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
      });
      form.setAttribute("aria-busy", "true");
    }, 0);
  });

  // After an SMS code was sent, the button counts down before it can be used again.
  document.addEventListener("htmx:afterRequest", function (event) {
    var button = event.detail && event.detail.elt;
    if (!button || !button.hasAttribute || !button.hasAttribute("data-sms-button")) {
      return;
    }
    if (!event.detail.successful) {
      return;
    }
    var label = button.getAttribute("data-label") || button.textContent;
    var template = button.getAttribute("data-wait-label") || "{s}";
    var seconds = 60;
    button.disabled = true;
    var tick = function () {
      if (seconds <= 0) {
        button.disabled = false;
        button.textContent = label;
        return;
      }
      button.textContent = template.replace("{s}", String(seconds));
      seconds -= 1;
      window.setTimeout(tick, 1000);
    };
    tick();
  });

  // htmx swaps in error pages too (e.g. 4xx answers with a message for the user).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status >= 400 && status < 500) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();

// After a refused submission the error summary takes the focus, so screen readers announce it and
// keyboard users can jump from it to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});

// On a narrow screen the 我的空间 menu starts folded, so the page itself starts on the first screen;
// its summary opens it.  On wider screens (the menu is a sidebar there) it is always open.
(function () {
  "use strict";
  var narrow = window.matchMedia("(max-width: 899.98px)");
  var apply = function () {
    document.querySelectorAll("details.collapse-narrow").forEach(function (details) {
      details.open = !narrow.matches;
    });
  };
  document.addEventListener("DOMContentLoaded", apply);
  narrow.addEventListener("change", apply);
})();
