/* Event form: the "Language of the texts above" select (progressive enhancement).
   When the organiser picks another original language, the translation fieldset of that
   language is hidden (unless it already holds text: the server keeps and flags it) and the
   one of the former original language appears, so it can be filled in the same visit.
   The title, summary and description follow the chosen language in their lang attribute. */
(function () {
  "use strict";

  function isEmpty(fieldset) {
    var inputs = fieldset.querySelectorAll("input, textarea");
    for (var i = 0; i < inputs.length; i++) {
      if (inputs[i].value.trim()) return false;
    }
    return true;
  }

  function apply(select) {
    var language = select.value;
    document.querySelectorAll("[data-original-text]").forEach(function (field) {
      field.setAttribute("lang", language);
    });
    document.querySelectorAll("fieldset[data-translation]").forEach(function (fieldset) {
      fieldset.hidden = fieldset.getAttribute("data-translation") === language && isEmpty(fieldset);
    });
  }

  function start() {
    var select = document.querySelector("select[data-original-language]");
    if (!select) return;
    select.addEventListener("change", function () {
      apply(select);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
