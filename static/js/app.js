// Small, dependency-free behaviours shared by every page. Page-specific scripts live beside it.
(function () {
  "use strict";

  // data-confirm on a form or on its submit button asks once before the form is sent,
  // whether htmx sends it (htmx:confirm) or the browser does (submit).
  function confirmMessage(form, submitter) {
    return (submitter && submitter.getAttribute("data-confirm")) || (form && form.getAttribute("data-confirm"));
  }
  function sentByHtmx(form) {
    return form.hasAttribute("hx-post") || form.hasAttribute("hx-get") || form.hasAttribute("hx-put");
  }

  document.addEventListener("htmx:confirm", function (event) {
    var elt = event.detail.elt;
    var trigger = event.detail.triggeringEvent;
    var submitter = trigger && trigger.submitter;
    var message = elt.tagName === "FORM" ? confirmMessage(elt, submitter) : elt.getAttribute("data-confirm");
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (sentByHtmx(form)) { return; }
    var message = confirmMessage(form, event.submitter);
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  // A 4xx from an htmx request still shows its body (forms re-rendered with their errors).
  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    if (status === 400 || status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
