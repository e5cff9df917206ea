from __future__ import annotations

import re
from typing import Any

import pytest


def text(response: Any) -> str:
    """The page as a person reads it: tags dropped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'").replace("&quot;", '"').strip()


@pytest.fixture
def acme_impls(people: dict[str, Any]) -> dict[str, Any]:
    """Acme (3 licences) with two active implementations: Retail and Service."""
    from orgbook.implementations import lifecycle

    alice, acme = people["alice"], people["acme"]
    return {
        "retail": lifecycle.create_implementation(acme, alice, "Retail", "Stores and POS"),
        "service": lifecycle.create_implementation(acme, alice, "Service", ""),
    }
