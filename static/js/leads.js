// Lead pages: bulk selection on the lead list (select all, the count, the action bar).
(function () {
  "use strict";

  function refresh(form) {
    var boxes = form.querySelectorAll("[data-select-row]");
    var checked = form.querySelectorAll("[data-select-row]:checked");
    var bar = form.querySelector("[data-bulk-bar]");
    var count = form.querySelector("[data-bulk-count]");
    var all = form.querySelector("[data-select-all]");
    if (count) { count.textContent = String(checked.length); }
    if (bar) { bar.hidden = checked.length === 0; }
    if (all) {
      all.checked = boxes.length > 0 && checked.length === boxes.length;
      all.indeterminate = checked.length > 0 && checked.length < boxes.length;
    }
    boxes.forEach(function (box) {
      var row = box.closest("tr");
      if (row) { row.classList.toggle("is-selected", box.checked); }
    });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    var form = target.closest && target.closest("[data-bulk-form]");
    if (!form) { return; }
    if (target.matches("[data-select-all]")) {
      form.querySelectorAll("[data-select-row]").forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("[data-select-all], [data-select-row]")) {
      refresh(form);
    }
  }, true);

  document.addEventListener("htmx:afterSwap", function () {
    document.querySelectorAll("[data-bulk-form]").forEach(refresh);
  });
})();
