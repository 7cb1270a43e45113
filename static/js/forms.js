/* Forms, for keyboard and screen-reader users (progressive enhancement; forms work without it).
   - The error summary of a rejected form takes focus on load, so it is announced at once.
   - A link in the summary moves focus into the field it names, not only the view. */
(function () {
  "use strict";

  function fieldFor(target) {
    if (target.matches("input, select, textarea, button")) return target;
    return target.querySelector("input, select, textarea");
  }

  function start() {
    var summary = document.querySelector("#error-summary");
    if (!summary) return;
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      var field = target && fieldFor(target);
      if (!field) return;
      event.preventDefault();
      var group = field.closest("fieldset.field-choices");
      var label = group ? group.querySelector("legend") : document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({ block: "start" });
      field.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
