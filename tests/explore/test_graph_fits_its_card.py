"""The dependency graph is drawn to scale to its card: the SVG is 100% wide with a viewBox and no
fixed size, so without script the whole graph shows at any screen width (graph.js zooms it)."""

from __future__ import annotations

import re
from typing import Any


def test_the_graph_has_a_viewbox_and_no_fixed_size(dreamhouse: Any, web_as: Any) -> None:
    html = web_as("vera").get(f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c").content.decode()
    svg = re.search(r'<svg class="dep-graph"[^>]*>', html)
    assert svg is not None
    tag = svg.group(0)
    assert re.search(r'viewBox="0 0 \d+ \d+"', tag) and 'width="100%"' in tag
    assert "height=" not in tag
    assert 'data-graph' in html and "/static/orgbook/graph.js" in html
