"""Sign up, log in, log out, the home page and creating a Space."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from orgbook.implementations.models import Implementation
from orgbook.spaces.models import Membership, Role
from tests.web.conftest import text


def test_sign_up_then_create_a_first_space_with_its_trial_implementation(db: Any, settings: Any) -> None:
    settings.ORGBOOK_SIGNUP = "open"
    client = Client()
    response = client.post("/signup/", {"email": "New.Admin@Example.com", "password": "a-long-unusual-passphrase"}, follow=True)
    assert "Create your first Space" in text(response)
    user = get_user_model().objects.get(username="new.admin@example.com")
    created = client.post("/spaces/new/", {"name": "Initech", "time_zone": "Europe/Paris"}, follow=True)
    page = text(created)
    assert created.redirect_chain[-1][0] == "/s/initech/"
    assert "a 14-day trial with one connection licence" in page
    assert "My implementation" in page and "No production org connected" in page
    assert "1 of 1 connection licence in use" in page
    assert Membership.objects.get(user=user).role == Role.ADMIN
    assert Implementation.objects.filter(space__slug="initech").count() == 1
    assert client.get("/")["Location"] == "/s/initech/"


def test_sign_up_refuses_weak_passwords_and_taken_emails(people: Any, settings: Any) -> None:
    settings.ORGBOOK_SIGNUP = "open"
    client = Client()
    weak = client.post("/signup/", {"email": "x@example.com", "password": "short"})
    assert "This password is too short. It must contain at least 10 characters." in text(weak)
    taken = client.post("/signup/", {"email": "ALICE@example.com", "password": "a-long-unusual-passphrase"})
    assert "An account with this email already exists. Log in instead." in text(taken)


def test_log_in_with_email_case_insensitively_and_log_out(people: Any) -> None:
    client = Client()
    bad = client.post("/login/", {"username": "alice@example.com", "password": "wrong"})
    assert "Email or password is not right." in text(bad)
    ok = client.post("/login/", {"username": "Alice@Example.com", "password": "correct-horse-battery"}, follow=True)
    assert ok.redirect_chain[-1][0] == "/s/acme/"
    client.post("/logout/")
    assert client.get("/s/acme/")["Location"].startswith("/login/")


def test_space_names_are_required(web_as: Any, people: Any, settings: Any) -> None:
    settings.ORGBOOK_SIGNUP = "open"
    response = web_as("alice").post("/spaces/new/", {"name": "", "time_zone": "UTC"})
    assert "Fill in “Name”: it is needed." in text(response)


def test_the_switcher_lists_every_space_of_the_person(web_as: Any, people: Any) -> None:
    Membership.objects.create(space=people["globex"], user=people["vera"], role=Role.EDITOR)
    html = web_as("vera").get("/s/acme/").content.decode()
    assert 'href="/s/acme/"' in html and 'href="/s/globex/"' in html
