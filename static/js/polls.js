/* Poll answers (progressive enhancement; the form works without it):
   - each time's box shows the chosen answer as soon as it is picked;
   - a line counts how many times are answered, so none is forgotten. */
(function () {
  "use strict";

  function start() {
    var form = document.querySelector("form.poll-answers");
    if (!form) return;
    var slots = Array.prototype.slice.call(form.querySelectorAll(".poll-slot"));
    var progress = form.querySelector(".poll-progress");

    function update() {
      var answered = 0;
      slots.forEach(function (slot) {
        var checked = slot.querySelector("input[type=radio]:checked");
        ["yes", "if_need_be", "no"].forEach(function (value) {
          slot.classList.toggle("poll-answer-" + value, !!checked && checked.value === value);
        });
        if (checked) answered += 1;
      });
      if (progress) {
        progress.textContent = progress.getAttribute("data-template")
          .replace("{answered}", String(answered))
          .replace("{total}", String(slots.length));
        progress.hidden = false;
      }
    }

    form.addEventListener("change", update);
    update();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
