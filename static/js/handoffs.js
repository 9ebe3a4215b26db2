// Handoff pages: after an htmx decision swaps a card, move focus to its message so keyboard and
// screen-reader users hear the result (accepted, rejected, or someone else already decided).
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id || target.id.indexOf("handoff-") !== 0) { return; }
    var card = document.getElementById(target.id) || target;
    var notice = card.querySelector(".flash");
    if (notice) {
      notice.setAttribute("tabindex", "-1");
      notice.focus();
    }
  });
  // The pipeline board: choosing a stage moves the deal at once; "lost" first asks why (Enter sends).
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.classList || !select.classList.contains("opp-move__stage")) { return; }
    var form = select.form;
    if (select.value === "lost") {
      var reason = form.querySelector(".opp-move__reason");
      if (reason) { reason.focus(); return; }
    }
    if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
  });
})();
