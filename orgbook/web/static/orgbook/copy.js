// Copy buttons: after each element with data-copyable="Label", a button that copies its text, and a
// live status saying it did. Added by script, so a page without script shows no dead button (the
// text stays selectable by hand). A file of its own: the CSP allows no inline script.
(function () {
  function selectAndCopy(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    try { return document.execCommand("copy"); } catch (e) { return false; }
  }
  function wire(source) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button small copy-button";
    button.textContent = source.getAttribute("data-copyable") || "Copy";
    var status = document.createElement("span");
    status.className = "muted copy-status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    source.insertAdjacentElement("afterend", status);
    source.insertAdjacentElement("afterend", button);
    source.insertAdjacentText("afterend", " ");
    button.addEventListener("click", function () {
      var text = source.textContent.trim();
      var done = function () { status.textContent = " Copied."; };
      var fallback = function () {
        status.textContent = selectAndCopy(source) ? " Copied." : " Select the text and copy it by hand.";
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, fallback);
      } else {
        fallback();
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-copyable]").forEach(wire);
  });
})();
