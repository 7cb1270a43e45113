/* Calendar subscriptions (feeds/_subscribe.html), as progressive enhancement: without this
   script the address stays in a read-only field to select and copy by hand.
   - Shows each "Copy address" button and copies its address, saying so in a status line. */
(function () {
  "use strict";

  function announce(button, text) {
    var status = button.closest(".field").querySelector(".copy-status");
    if (status) status.textContent = text;
  }

  function copyBySelection(field) {
    field.focus();
    field.select();
    try {
      return document.execCommand("copy");
    } catch (e) {
      return false;
    }
  }

  function copy(button) {
    var field = document.getElementById(button.getAttribute("data-copy-target"));
    if (!field) return;
    var done = function () { announce(button, button.getAttribute("data-copied-text")); };
    var failed = function () {
      if (copyBySelection(field)) done();
      else announce(button, button.getAttribute("data-copy-failed-text"));
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, failed);
    } else {
      failed();
    }
  }

  document.querySelectorAll(".copy-button[data-copy-target]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { copy(button); });
  });
})();
