// The top bar's menu button (web/base.html). Loaded right after the header, not deferred, so a phone
// never paints the open bar first. Without this script the button stays hidden and the bar wraps.
(function () {
  var bar = document.querySelector(".topbar");
  var button = bar && bar.querySelector(".menu-button");
  if (!button) return;
  function setOpen(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    bar.classList.toggle("menu-open", open);
  }
  button.hidden = false;
  bar.classList.add("has-menu");
  button.addEventListener("click", function () { setOpen(button.getAttribute("aria-expanded") !== "true"); });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") { setOpen(false); button.focus(); }
  });
})();
