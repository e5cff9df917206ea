"""Who may explore: every member reads (viewers too); another Space gets 404; suspended gets 403."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.implementations import lifecycle


def _urls(m: int) -> list[str]:
    return [f"/m/{m}/", f"/m/{m}/tree/?type=CustomObject&ns=", f"/m/{m}/tree/?object=Property__c",
            f"/m/{m}/search/?q=price", f"/m/{m}/c/CustomField/Property__c.Price__c", f"/m/{m}/compare/",
            f"/m/{m}/export.csv", f"/m/{m}/export.xlsx", f"/m/{m}/c/CustomObject/Broker__c/impact.csv",
            f"/api/v1/models/{m}/search?q=price", f"/api/v1/models/{m}/types",
            f"/api/v1/models/{m}/impact/CustomObject/Broker__c"]


@pytest.mark.parametrize("who", ["alice", "eddie", "vera"])
def test_every_member_including_a_viewer_reads_every_page(dreamhouse: Any, web_as: Any, who: str) -> None:
    client = web_as(who)
    for url in _urls(dreamhouse.pk):
        assert client.get(url).status_code == 200, url


def test_another_spaces_member_gets_404_everywhere(dreamhouse: Any, web_as: Any) -> None:
    client = web_as("mallory")
    for url in _urls(dreamhouse.pk):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/m/{dreamhouse.pk}/views/", {"name": "x"}).status_code == 404


def test_a_suspended_implementation_answers_403_everywhere(dreamhouse: Any, web_as: Any) -> None:
    lifecycle.suspend(dreamhouse.implementation, None, reason="test")
    client = web_as("alice")
    for url in _urls(dreamhouse.pk):
        r = client.get(url)
        assert r.status_code == 403, url
    assert b"reactivate" in client.get(f"/m/{dreamhouse.pk}/").content


def test_anonymous_people_are_sent_to_log_in(dreamhouse: Any) -> None:
    from django.test import Client

    r = Client().get(f"/m/{dreamhouse.pk}/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_compare_refuses_a_model_of_another_space(dreamhouse: Any, people: Any, web_as: Any) -> None:
    from orgbook.orgmodels.services import model_for_import

    theirs = model_for_import(lifecycle.create_implementation(people["globex"], people["mallory"], "G"), "G", None)
    assert web_as("vera").get(f"/m/{dreamhouse.pk}/compare/", {"with": theirs.pk}).status_code == 404
    assert web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/compare/{theirs.pk}").status_code == 404
    assert web_as("vera").get(f"/m/{dreamhouse.pk}/compare.csv", {"with": theirs.pk}).status_code == 404


def test_compare_opens_a_model_of_another_implementation_in_the_same_space(
        dreamhouse: Any, people: Any, web_as: Any) -> None:
    # Issue 17: any two models of a Space compare (a viewer of the Space may view both).
    from orgbook.orgmodels.services import model_for_import

    other = model_for_import(lifecycle.create_implementation(people["acme"], people["alice"], "Other"), "O", None)
    assert web_as("vera").get(f"/m/{dreamhouse.pk}/compare/", {"with": other.pk}).status_code == 200
    assert web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/compare/{other.pk}").status_code == 200
