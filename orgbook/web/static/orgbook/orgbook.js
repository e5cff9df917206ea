// Progressive enhancement only: when htmx swaps the right-hand panel, mark the chosen card.
document.addEventListener("htmx:afterSwap", function (event) {
  var body = event.detail.target.querySelector("[data-impl]");
  if (!body) return;
  document.querySelectorAll(".impl-card.is-selected").forEach(function (card) { card.classList.remove("is-selected"); });
  var chosen = document.getElementById("impl-" + body.getAttribute("data-impl"));
  if (chosen) chosen.classList.add("is-selected");
  var title = document.getElementById("panel-title");
  if (title) { title.setAttribute("tabindex", "-1"); title.focus({ preventScroll: true }); }
});
