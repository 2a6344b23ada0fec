/* 自助服务终端: the idle countdown (log out after data-idle-seconds without a touch, a visible
   countdown in the last 15 s), ticket printing, and log-in by ID card through the local reader
   bridge (docs/kiosk.md).  No inline script: the page's policy allows only this file. */
(function () {
  "use strict";
  var WARN = 15;

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function logout() {
    var form = document.getElementById("kiosk-logout-form");
    if (form) { form.submit(); } else { window.location.href = "/kiosk/"; }
  }

  function idleTimer() {
    var body = document.body;
    var limit = parseInt(body.getAttribute("data-idle-seconds") || "90", 10);
    if (body.getAttribute("data-idle-active") !== "1" || !(limit > 0)) { return; }
    var dialog = document.getElementById("kiosk-idle");
    var count = document.getElementById("kiosk-idle-count");
    var stay = document.getElementById("kiosk-idle-stay");
    var last = Date.now();
    function reset() {
      last = Date.now();
      if (dialog && !dialog.hidden) { dialog.hidden = true; }
    }
    ["pointerdown", "keydown", "touchstart", "input"].forEach(function (name) {
      document.addEventListener(name, reset, { passive: true, capture: true });
    });
    if (stay) { stay.addEventListener("click", reset); }
    window.setInterval(function () {
      var left = limit - Math.floor((Date.now() - last) / 1000);
      if (left <= 0) { logout(); return; }
      if (left <= WARN && dialog) {
        if (dialog.hidden) { dialog.hidden = false; if (stay) { stay.focus(); } }
        if (count) { count.textContent = String(left); }
      }
    }, 1000);
  }

  function printButtons() {
    document.querySelectorAll("[data-kiosk-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  function cardReader() {
    var box = document.getElementById("kiosk-card");
    if (!box) { return; }
    var status = document.getElementById("kiosk-card-status");
    var reader = box.getAttribute("data-reader-url");
    var submit = box.getAttribute("data-submit-url");
    var busy = false;
    var timer = null;
    function say(text) { if (status) { status.textContent = text; } }
    function poll() {
      if (busy) { return; }
      busy = true;
      fetch(reader + "/card", { cache: "no-store" })
        .then(function (response) {
          if (response.status === 204 || response.status === 404) { return null; }
          if (!response.ok) { throw new Error("reader"); }
          return response.json();
        })
        .then(function (read) {
          if (!read) { busy = false; return; }
          say(box.getAttribute("data-msg-read"));
          return fetch(submit, {
            method: "POST",
            credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
            body: JSON.stringify({ card: read.card, signature: read.signature })
          }).then(function (response) {
            return response.json().then(function (answer) {
              if (response.ok && answer.next) {
                window.clearInterval(timer);
                window.location.href = answer.next;
                return;
              }
              say(box.getAttribute("data-msg-failed") + (answer.message || ""));
              busy = false;
            });
          });
        })
        .catch(function () {
          say(box.getAttribute("data-msg-offline"));
          busy = false;
        });
    }
    timer = window.setInterval(poll, 1500);
    poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    idleTimer();
    printButtons();
    cardReader();
  });
})();
