// The org model explorer's small enhancements; every page works without them.
// - tree nodes load their content when first opened;
// - the search box shows ranked results as you type (debounced, latest answer wins).
(function () {
  "use strict";

  function loadNode(details) {
    if (details.dataset.loaded || !details.open) return;
    details.dataset.loaded = "1";
    var slot = details.querySelector(".tree-slot");
    fetch(details.dataset.fetch, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { if (slot) slot.innerHTML = html; })
      .catch(function () { delete details.dataset.loaded; });
  }

  document.addEventListener("toggle", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("details[data-fetch]")) loadNode(el);
  }, true);

  function liveSearch(input) {
    var box = input.parentNode.querySelector("[data-live-results]");
    var timer = null, seq = 0;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      var q = input.value.trim();
      if (!q) { box.hidden = true; box.innerHTML = ""; return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        fetch(input.dataset.liveSearch + "&q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.text(); })
          .then(function (html) { if (mine === seq) { box.innerHTML = html; box.hidden = false; } });
      }, 120);
    });
    input.addEventListener("keydown", function (e) {
      var links = box.querySelectorAll("a");
      if (!links.length || box.hidden) return;
      var i = Array.prototype.indexOf.call(links, document.activeElement);
      if (e.key === "ArrowDown") { e.preventDefault(); links[Math.min(i + 1, links.length - 1)].focus(); }
      if (e.key === "Escape") { box.hidden = true; }
    });
    box.addEventListener("keydown", function (e) {
      var links = box.querySelectorAll("a");
      var i = Array.prototype.indexOf.call(links, document.activeElement);
      if (e.key === "ArrowDown" && i < links.length - 1) { e.preventDefault(); links[i + 1].focus(); }
      if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      if (e.key === "Escape") { box.hidden = true; input.focus(); }
    });
    document.addEventListener("click", function (e) { if (!input.parentNode.contains(e.target)) box.hidden = true; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-live-search]").forEach(liveSearch);
    document.querySelectorAll("details[data-fetch][open]").forEach(loadNode);
  });
})();
