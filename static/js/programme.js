// Programme pages, as progressive enhancement: without this script the time-zone
// select (event zone and partner regions' zones) and the browser's print menu still work.
(function () {
  "use strict";

  function offerOwnZone(select) {
    var own;
    try {
      own = Intl.DateTimeFormat().resolvedOptions().timeZone;
    } catch (e) {
      return;
    }
    if (!own) return;
    for (var i = 0; i < select.options.length; i++) {
      if (select.options[i].value === own) return;
    }
    var option = document.createElement("option");
    option.value = own;
    option.textContent = (select.getAttribute("data-own-zone-label") || own) + " (" + own.replace(/_/g, " ") + ")";
    select.appendChild(option);
  }

  document.querySelectorAll("[data-zone-switch] select[name=tz]").forEach(offerOwnZone);

  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
})();
