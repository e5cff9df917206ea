"""Connect Org: Production or Sandbox, then an implementation (existing or new), then the login placeholder."""

from __future__ import annotations

from typing import Any

from orgbook.implementations.models import Implementation, OrgConnection
from tests.web.conftest import text


def test_production_then_create_new_implementation(web_as: Any, people: Any) -> None:
    client = web_as("alice")
    step1 = client.post("/s/acme/connect/", {"kind": "production"})
    assert step1["Location"] == "/s/acme/connect/implementation/?kind=production"
    step2 = client.get(step1["Location"])
    assert "Create new implementation" in text(step2)
    done = client.post(
        step1["Location"], {"kind": "production", "implementation": "new", "name": "Wholesale", "description": "B2B"},
        follow=True,
    )
    impl = Implementation.objects.get(space=people["acme"], name="Wholesale")
    assert impl.description == "B2B"
    assert done.redirect_chain[-1][0] == f"/s/acme/connect/next/?kind=production&impl={impl.pk}"
    page = text(done)
    assert "Implementation Wholesale created." in page
    assert "Implementation Wholesale is ready for a production org." in page
    assert "Log in to Salesforce" in page


def test_choosing_an_existing_implementation_creates_nothing(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    response = web_as("alice").post(
        "/s/acme/connect/implementation/?kind=sandbox", {"kind": "sandbox", "implementation": str(retail.pk)}
    )
    assert response["Location"] == f"/s/acme/connect/next/?kind=sandbox&impl={retail.pk}"
    assert Implementation.objects.count() == 2


def test_production_step_hides_implementations_that_already_have_one(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    OrgConnection.objects.create(implementation=retail, kind="production", org_id="00D000000000009")
    client = web_as("alice")
    page = text(client.get("/s/acme/connect/implementation/?kind=production"))
    assert "Not listed because they already have a production org: Retail." in page
    refused = client.post("/s/acme/connect/implementation/?kind=production", {"kind": "production", "implementation": str(retail.pk)})
    assert refused.status_code == 400
    assert "Pick one of the options in the list." in text(refused)
    assert f'value="{retail.pk}"' in client.get("/s/acme/connect/implementation/?kind=sandbox").content.decode()


def test_new_implementation_needs_a_name_and_a_free_licence(web_as: Any, acme_impls: Any, people: Any) -> None:
    client = web_as("alice")
    url = "/s/acme/connect/implementation/?kind=sandbox"
    nameless = client.post(url, {"kind": "sandbox", "implementation": "new", "name": ""})
    assert "Give the implementation a name (1 to 80 characters)." in text(nameless)
    client.post(url, {"kind": "sandbox", "implementation": "new", "name": "Third"})
    full = client.post(url, {"kind": "sandbox", "implementation": "new", "name": "Fourth"})
    assert full.status_code == 400
    assert "All 3 connection licence(s) are in use" in text(full)
    assert "No connection licence is free, so a new implementation cannot be created." in text(full)
    assert not Implementation.objects.filter(name="Fourth").exists()


def test_suspended_implementations_cannot_be_connected(web_as: Any, acme_impls: Any, people: Any) -> None:
    from orgbook.implementations import lifecycle

    lifecycle.renew(people["acme"], people["alice"], 1, keep=[acme_impls["retail"].pk])
    service = acme_impls["service"]
    client = web_as("alice")
    assert f'value="{service.pk}"' not in client.get("/s/acme/connect/implementation/?kind=sandbox").content.decode()
    response = client.get(f"/s/acme/connect/next/?kind=sandbox&impl={service.pk}")
    assert response.status_code == 403
    assert "Service is suspended" in text(response)


def test_missing_kind_goes_back_to_step_one(web_as: Any, people: Any) -> None:
    assert web_as("alice").get("/s/acme/connect/implementation/")["Location"] == "/s/acme/connect/"
