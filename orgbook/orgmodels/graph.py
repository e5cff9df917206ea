"""A component's dependency neighbourhood as a server-drawn SVG: what uses it on the left, what it
uses on the right, the root in the middle. Every node is a link that re-roots the graph on it, so
the graph is explored by clicking, with no script and nothing loaded from elsewhere."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from orgbook.orgmodels.impact import Edge

NODE_W, NODE_H, GAP, COL = 250, 30, 8, 340
MAX_SIDE = 30


@dataclass(frozen=True)
class Node:
    type: str
    full_name: str
    x: int
    y: int
    side: str  # root / uses / used_by


def _dedupe(edges: list[Edge]) -> list[Edge]:
    seen: set[tuple[str, str]] = set()
    out = []
    for e in edges:
        key = (e.type, e.full_name.lower())
        if key not in seen:
            seen.add(key)
            out.append(e)
    return out


def layout(root_type: str, root_name: str, uses: list[Edge], used_by: list[Edge]) -> tuple[list[Node], int, int, int]:
    """Nodes with positions; returns (nodes, width, height, hidden count)."""
    left, right = _dedupe(used_by), _dedupe(uses)
    hidden = max(len(left) - MAX_SIDE, 0) + max(len(right) - MAX_SIDE, 0)
    left, right = left[:MAX_SIDE], right[:MAX_SIDE]
    rows = max(len(left), len(right), 1)
    height = rows * (NODE_H + GAP) + 40
    width = 2 * COL + NODE_W + 20
    nodes = [Node(root_type, root_name, COL + 10, height // 2 - NODE_H // 2, "root")]
    for side, items, x in (("used_by", left, 10), ("uses", right, 2 * COL + 10)):
        top = (height - len(items) * (NODE_H + GAP)) // 2
        nodes += [Node(e.type, e.full_name, x, top + i * (NODE_H + GAP), side) for i, e in enumerate(items)]
    return nodes, width, height, hidden


def _short(text: str, n: int = 34) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def render_svg(root_type: str, root_name: str, uses: list[Edge], used_by: list[Edge],
               href: Callable[[str, str], str]) -> str:
    nodes, width, height, hidden = layout(root_type, root_name, uses, used_by)
    root = nodes[0]
    # width 100% with the viewBox: the whole graph scales to its card at any screen width (no clipping
    # without script); web/static/orgbook/graph.js zooms and pans by changing the viewBox.
    parts = [f'<svg class="dep-graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="100%" preserveAspectRatio="xMidYMid meet" role="figure" '
             f'aria-label="Dependencies of {escape(root_name)}">']
    for n in nodes[1:]:
        if n.side == "used_by":
            x1, x2 = n.x + NODE_W, root.x
        else:
            x1, x2 = root.x + NODE_W, n.x
        y1, y2 = (n.y, root.y) if n.side == "used_by" else (root.y, n.y)
        y1, y2 = y1 + NODE_H // 2, y2 + NODE_H // 2
        mid = (x1 + x2) // 2
        parts.append(f'<path class="edge" d="M{x1},{y1} C{mid},{y1} {mid},{y2} {x2},{y2}" marker-end="url(#arrow)"/>')
    parts.insert(1, '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="6" '
                    'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>')
    for n in nodes:
        label = f"{n.type}: {n.full_name}"
        parts.append(
            f'<a href="{escape(href(n.type, n.full_name))}" class="node node-{n.side}">'
            f'<title>{escape(label)}</title>'
            f'<rect x="{n.x}" y="{n.y}" width="{NODE_W}" height="{NODE_H}" rx="4"/>'
            f'<text x="{n.x + 8}" y="{n.y + 12}" class="node-type">{escape(n.type)}</text>'
            f'<text x="{n.x + 8}" y="{n.y + 25}" class="node-name">{escape(_short(n.full_name))}</text></a>')
    parts.append(f'<text x="10" y="16" class="graph-caption">Used by ←</text>'
                 f'<text x="{2 * COL + 10}" y="16" class="graph-caption">→ Uses</text>')
    if hidden:
        parts.append(f'<text x="{COL + 10}" y="{height - 6}" class="graph-caption">{hidden} more not drawn '
                     f'(see the lists)</text>')
    parts.append("</svg>")
    return "".join(parts)
