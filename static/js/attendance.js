// Check-in sheet: send the one-tap forms in the background and update the row and the
// counts in place. Without this script the forms post and the page reloads.
(function () {
  "use strict";
  var live = document.getElementById("attendance-live");
  var labels = {
    present: { mark: "\u2713 ", text: "Present" },
    absent: { mark: "\u2717 ", text: "Absent" },
    excused: { mark: "\u25D0 ", text: "Excused" },
    unmarked: { mark: "\u25CB ", text: "Not marked" },
  };
  // Button texts come from the page, so they are in the page's language.
  document.querySelectorAll(".mark-form").forEach(function (form) {
    form.querySelectorAll("button[value]").forEach(function (button) {
      var key = button.value === "undo" ? "unmarked" : button.value;
      if (labels[key] && button.value !== "undo") {
        labels[key].text = button.firstChild.textContent.trim();
      }
    });
  });
  var unmarkedText = document.querySelector('[data-count="unmarked"]');
  if (unmarkedText) {
    labels.unmarked.text = unmarkedText.parentNode.querySelector("dt").textContent.trim();
  }

  function updateRow(row, status) {
    var state = status || "unmarked";
    row.dataset.status = state;
    var statusLine = row.querySelector('[data-role="status"]');
    if (statusLine) {
      statusLine.textContent = "";
      var mark = document.createElement("span");
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = labels[state].mark;
      statusLine.appendChild(mark);
      statusLine.appendChild(document.createTextNode(labels[state].text));
    }
    row.querySelectorAll("button[value]").forEach(function (button) {
      if (button.value === "undo") {
        button.hidden = !status;
      } else {
        button.setAttribute("aria-pressed", button.value === status ? "true" : "false");
      }
    });
  }

  function updateCounts(counts) {
    Object.keys(counts).forEach(function (key) {
      var cell = document.querySelector('[data-count="' + key + '"]');
      if (cell) cell.textContent = counts[key];
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("mark-form") || !window.fetch) return;
    var submitter = event.submitter;
    if (!submitter || !submitter.value) return;
    event.preventDefault();
    var row = form.closest(".checkin-row");
    var data = new FormData(form);
    data.set("action", submitter.value);
    row.classList.add("is-busy");
    // form.action would be the button named "action"; read the attribute.
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.json().then(function (body) {
          return { ok: response.ok, body: body };
        });
      })
      .then(function (result) {
        if (!result.ok) throw new Error(result.body.error || "error");
        updateRow(row, result.body.status);
        updateCounts(result.body.counts);
        if (live) live.textContent = result.body.message;
      })
      .catch(function () {
        // Fall back to an ordinary submission: the server answers with a full page.
        var fallback = document.createElement("input");
        fallback.type = "hidden";
        fallback.name = "action";
        fallback.value = submitter.value;
        form.appendChild(fallback);
        HTMLFormElement.prototype.submit.call(form);
      })
      .finally(function () {
        row.classList.remove("is-busy");
      });
  });
})();
