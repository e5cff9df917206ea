// Forms (web/_field.html): after a submit the server sent back with errors, focus goes to the first
// field with an error (its message sits under it and is read with it), or to the form's error summary
// when the error is about the form as a whole. Fields under an error are marked aria-invalid. Pages
// work without this script: the errors are in the page either way.
(function () {
  var CONTROLS = "input:not([type=hidden]), select, textarea";

  function markInvalid() {
    document.querySelectorAll(".field.has-error").forEach(function (field) {
      field.querySelectorAll(CONTROLS).forEach(function (control) {
        control.setAttribute("aria-invalid", "true");
      });
    });
  }

  function reveal(element) {
    // A field inside a closed <details> (the documentation editor) cannot take focus until it opens.
    for (var node = element.parentElement; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) node.open = true;
    }
  }

  function focusFirstError() {
    var first = document.querySelector(".field.has-error");
    var target = first && first.querySelector(CONTROLS);
    if (!target) {
      target = document.querySelector("[data-error-summary]");
      if (target && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
    }
    if (!target) return;
    reveal(target);
    target.focus();
    if (target.scrollIntoView) target.scrollIntoView({ block: "center" });
  }

  function start() {
    markInvalid();
    focusFirstError();
    // A form whose address ends in #its-id (so that without script the page opens at it) is scrolled
    // to once the page has loaded, and Chromium then drops the focus: give it back.
    window.addEventListener("load", function () {
      setTimeout(function () {
        if (!document.activeElement || document.activeElement === document.body) focusFirstError();
      }, 0);
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
