from __future__ import annotations

from typing import Any


def test_pages_render(dreamhouse: Any, as_user: Any) -> None:
    c = as_user("vera")
    m = dreamhouse.pk
    for url in (f"/m/{m}/", f"/m/{m}/?type=CustomField&col=full_name&col=label&col=documented&col=description&sort=-label",
                f"/m/{m}/tree/?type=CustomObject&ns=", f"/m/{m}/tree/?object=Property__c",
                f"/m/{m}/search/?q=price", f"/m/{m}/search/?q=price&partial=1",
                f"/m/{m}/c/CustomField/Property__c.Price__c", f"/m/{m}/c/CustomObject/Property__c?depth=3",
                f"/m/{m}/compare/"):
        r = c.get(url)
        assert r.status_code == 200, (url, r.content[:2000])
