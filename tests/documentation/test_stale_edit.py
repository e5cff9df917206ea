"""An edit made on a stale revision is refused with the other person's text: no lost update."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.documentation import services
from orgbook.documentation.models import Revision
from orgbook.documentation.services import DocumentationEdit
from orgbook.errors import Conflict

from .conftest import PRICE


def test_the_second_writer_starting_from_the_same_revision_is_refused(
        people: dict[str, Any], retail: Any, retail_models: dict[str, Any]) -> None:
    first = services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="v1"))
    services.save_documentation(people["alice"], retail, *PRICE, DocumentationEdit(note="alice's v2", base_revision=1))
    with pytest.raises(Conflict) as caught:
        services.save_documentation(people["eddie"], retail, *PRICE,
                                    DocumentationEdit(note="eddie's v2", base_revision=first.revision))
    err = caught.value
    assert err.status == 409 and "alice@example.com" in err.message and "not saved" in err.message
    assert err.details["their_note"] == "alice's v2" and err.details["current_revision"] == 2
    assert services.find(retail, *PRICE).note == "alice's v2"


def test_every_edit_is_kept_with_author_time_and_diff(people: dict[str, Any], retail: Any,
                                                     retail_models: dict[str, Any]) -> None:
    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="line one"))
    doc = services.save_documentation(people["alice"], retail, *PRICE,
                                      DocumentationEdit(note="line one\nline two", base_revision=1))
    revs = list(Revision.objects.filter(documentation=doc).order_by("number"))
    assert [r.author_email for r in revs] == ["eddie@example.com", "alice@example.com"]
    assert "+line two" in revs[1].diff and revs[1].at is not None


def test_saving_the_same_content_makes_no_new_revision(people: dict[str, Any], retail: Any,
                                                      retail_models: dict[str, Any]) -> None:
    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="same"))
    doc = services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="same", base_revision=1))
    assert doc.revision == 1
