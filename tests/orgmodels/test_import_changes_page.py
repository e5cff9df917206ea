"""An import's run page leads to what the import changed, on the same changes page as a sync's
(issue 15): the same version machinery writes both."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.invoice import invoice, write_mdapi


def _field(precision: int) -> str:
    return (f"    <fields><fullName>Amount__c</fullName><label>Amount</label><precision>{precision}</precision>"
            "<scale>2</scale><type>Currency</type></fields>\n")


def test_the_run_page_links_the_imports_changes(retail: Any, web_as: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", "reference")
    import_path(model, write_mdapi(tmp_path / "v1", invoice(_field(16))))
    run = import_path(model, write_mdapi(tmp_path / "v2", invoice(_field(18))))
    status = web_as("vera").get(f"/uploads/s/acme/runs/{run.pk}/").content.decode()
    link = re.search(r'<a id="run-changes" href="([^"]+)">See what it changed</a>', status)
    assert link and link.group(1) == f"/s/acme/runs/{run.pk}/changes/"
    html = web_as("vera").get(link.group(1)).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "What the import of" in text and "0 added, 1 changed, 0 removed" in text
    assert "Invoice__c.Amount__c" in text and "Who is not known" in text
    assert re.search(r"<code>precision</code></td><td class=\"before\">16</td><td class=\"after\">18</td>", html)


def test_an_import_that_changed_nothing_has_no_link(retail: Any, web_as: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", "reference")
    folder = write_mdapi(tmp_path / "v1", invoice(_field(16)))
    import_path(model, folder)
    again = import_path(model, folder)
    assert 'id="run-changes"' not in web_as("vera").get(f"/uploads/s/acme/runs/{again.pk}/").content.decode()
