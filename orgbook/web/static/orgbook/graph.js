// Zoom and pan for the component page's dependency graph (orgmodels/graph.py draws it as an SVG with a
// viewBox, 100% wide). Without this script the whole graph shows, scaled to its card; with it, a
// toolbar of labelled buttons zooms in, out and back, Ctrl + wheel (or a trackpad pinch) zooms where
// the pointer is, and dragging moves the view. Everything happens on the viewBox: the drawing is never
// redrawn, its links (which re-root the graph) keep working, and a drag never counts as a click.
(function () {
  "use strict";

  var STEP = 1.25, MIN = 0.5, MAX = 8; // zoom factor per step; how far out and in

  function enhance(wrap) {
    var svg = wrap.querySelector("svg");
    if (!svg || wrap.dataset.zoomReady) return;
    wrap.dataset.zoomReady = "1";
    var base = svg.getAttribute("viewBox").split(/[\s,]+/).map(Number); // [x, y, width, height]
    var view = base.slice();

    function zoom() { return base[2] / view[2]; }

    function apply() {
      svg.setAttribute("viewBox", view.map(function (n) { return Math.round(n * 100) / 100; }).join(" "));
      status.textContent = Math.round(zoom() * 100) + "%";
      wrap.classList.toggle("is-zoomed", zoom() !== 1 || view[0] !== base[0] || view[1] !== base[1]);
    }

    // Zoom by `factor` keeping the point (cx, cy), in the drawing's units, where it is on screen.
    function zoomAt(factor, cx, cy) {
      var next = Math.min(MAX, Math.max(MIN, zoom() * factor));
      var w = base[2] / next, h = base[3] / next;
      view = [cx - (cx - view[0]) * (w / view[2]), cy - (cy - view[1]) * (h / view[3]), w, h];
      apply();
    }

    function centre() { return [view[0] + view[2] / 2, view[1] + view[3] / 2]; }

    // A point on screen in the drawing's units.
    function toDrawing(clientX, clientY) {
      var box = svg.getBoundingClientRect();
      var scale = Math.max(view[2] / box.width, view[3] / box.height); // "meet": the larger ratio wins
      var offX = (box.width - view[2] / scale) / 2, offY = (box.height - view[3] / scale) / 2;
      return [view[0] + (clientX - box.left - offX) * scale, view[1] + (clientY - box.top - offY) * scale];
    }

    var bar = document.createElement("div");
    bar.className = "graph-tools";
    bar.setAttribute("role", "toolbar");
    bar.setAttribute("aria-label", "Graph zoom");
    function button(text, label, action) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button small";
      b.textContent = text;
      b.setAttribute("aria-label", label);
      b.addEventListener("click", action);
      bar.appendChild(b);
      return b;
    }
    button("+", "Zoom in", function () { var c = centre(); zoomAt(STEP, c[0], c[1]); });
    button("−", "Zoom out", function () { var c = centre(); zoomAt(1 / STEP, c[0], c[1]); });
    button("Reset", "Reset zoom", function () { view = base.slice(); apply(); });
    var status = document.createElement("span");
    status.className = "muted small";
    status.setAttribute("aria-live", "polite");
    bar.appendChild(status);
    var hint = document.createElement("span");
    hint.className = "muted small";
    hint.textContent = "Ctrl + wheel or pinch to zoom, drag to move.";
    bar.appendChild(hint);
    wrap.parentNode.insertBefore(bar, wrap);

    // Ctrl + wheel (a trackpad pinch arrives as one): a plain wheel keeps scrolling the page.
    svg.addEventListener("wheel", function (e) {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      var p = toDrawing(e.clientX, e.clientY);
      zoomAt(e.deltaY < 0 ? STEP : 1 / STEP, p[0], p[1]);
    }, { passive: false });

    var drag = null, moved = false;
    svg.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, view: view.slice(), id: e.pointerId };
      moved = false;
    });
    svg.addEventListener("pointermove", function (e) {
      if (!drag || e.pointerId !== drag.id) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      if (!moved && Math.abs(dx) + Math.abs(dy) < 4) return; // a click, not a drag
      if (!moved) { moved = true; svg.setPointerCapture(e.pointerId); wrap.classList.add("is-dragging"); }
      var box = svg.getBoundingClientRect();
      var scale = Math.max(drag.view[2] / box.width, drag.view[3] / box.height);
      view = [drag.view[0] - dx * scale, drag.view[1] - dy * scale, drag.view[2], drag.view[3]];
      apply();
    });
    function end() { drag = null; wrap.classList.remove("is-dragging"); }
    svg.addEventListener("pointerup", end);
    svg.addEventListener("pointercancel", end);
    // After a drag, the click that ends it must not follow the node's link.
    svg.addEventListener("click", function (e) {
      if (moved) { e.preventDefault(); e.stopPropagation(); moved = false; }
    }, true);
    apply();
  }

  function init() { document.querySelectorAll("[data-graph]").forEach(enhance); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
