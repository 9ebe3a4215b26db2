// The Today queue: keyboard first. j/k next/previous, 1–4 call outcomes (1 = done elsewhere),
// e opens the email editor, s skips, o opens the lead. Works with htmx row swaps.
(function () {
  "use strict";

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#queue-list .queue-item"));
  }

  function current() {
    return document.querySelector("#queue-list .queue-item.is-current");
  }

  function select(row) {
    if (!row) { return; }
    var previous = current();
    if (previous) { previous.classList.remove("is-current"); }
    row.classList.add("is-current");
    row.focus({ preventScroll: true });
    row.scrollIntoView({ block: "nearest" });
  }

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var index = all.indexOf(current());
    var next = index + step;
    if (index === -1) { next = step > 0 ? 0 : all.length - 1; }
    // Skip rows already worked.
    while (next >= 0 && next < all.length && all[next].getAttribute("data-done")) { next += step; }
    if (next >= 0 && next < all.length) { select(all[next]); }
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  document.addEventListener("keydown", function (event) {
    if (!document.getElementById("queue-list") || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event.target)) {
      if (event.key === "Escape") { event.target.blur(); var open = event.target.closest("details"); if (open) { open.open = false; } }
      return;
    }
    var key = event.key;
    if (key === "j" || key === "ArrowDown") { move(1); event.preventDefault(); return; }
    if (key === "k" || key === "ArrowUp") { move(-1); event.preventDefault(); return; }
    var row = current();
    if (!row) { return; }
    if (key === "e") {
      var editor = row.querySelector("details[data-role=email]");
      if (editor) {
        editor.open = true;
        var area = editor.querySelector("textarea");
        if (area) { area.focus(); }
        event.preventDefault();
      }
      return;
    }
    var action = row.querySelector('[data-key-action="' + key + '"]');
    if (action) {
      event.preventDefault();
      action.click();
    }
  });

  // Clicking a row makes it current (so the keys act on what the mouse chose).
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("#queue-list .queue-item");
    if (row && !row.classList.contains("is-current")) {
      var previous = current();
      if (previous) { previous.classList.remove("is-current"); }
      row.classList.add("is-current");
    }
  });

  // After a row was worked (swapped for its "done" line), the next open row becomes current.
  // htmx:load fires on the new content (the swapped-out row is detached and tells nobody).
  document.addEventListener("htmx:load", function (event) {
    var element = event.target;
    if (!element || !element.classList) { return; }
    if (element.id === "queue-list") {
      var first = rows()[0];
      if (first) { select(first); }
      return;
    }
    if (element.classList.contains("queue-item") && element.classList.contains("is-done")) {
      var previous = current();
      if (previous && previous !== element) { previous.classList.remove("is-current"); }
      element.classList.add("is-current");
      move(1);
    }
  });

  // A refused action (422: no usable time or an empty email; 409: already done elsewhere) keeps the
  // row and whatever the rep typed, and says why inside the row.
  function showRowError(row, text) {
    var note = row.querySelector(".qi-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "qi-error";
      note.setAttribute("role", "alert");
      row.appendChild(note);
    }
    note.textContent = text || "";
    row.classList.add("has-error");
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var target = event.detail.target;
    var row = target && target.closest ? target.closest(".queue-item") : null;
    if (row && status >= 400) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      showRowError(row, event.detail.xhr.responseText);
    }
  });

  document.addEventListener("DOMContentLoaded", function () {
    var first = rows()[0];
    if (first) { select(first); }
  });
})();
