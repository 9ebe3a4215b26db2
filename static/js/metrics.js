// The dashboard's period picker: typing a date makes the period "custom"; choosing a named period
// drops the typed dates, so the server computes them. Runs in the capture phase, before htmx sends.
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.form;
    if (!form || form.id !== "dashboard-filters") { return; }
    var select = form.querySelector("[data-period-select]");
    if (target.hasAttribute("data-period-date") && select) {
      select.value = "custom";
    } else if (target === select && select.value !== "custom") {
      form.querySelectorAll("[data-period-date]").forEach(function (input) { input.value = ""; });
    }
  }, true);
})();
