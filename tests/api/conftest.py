from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client


class ApiClient:
    """Calls the API as a person would from a script: with a personal access token."""

    def __init__(self, user: Any | None) -> None:
        from orgbook.spaces.models import PersonalAccessToken

        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _, raw = PersonalAccessToken.issue(user, "tests")
            self.headers["Authorization"] = f"Bearer {raw}"

    def call(self, method: str, path: str, body: Any = None) -> Any:
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        response = getattr(self.client, method.lower())("/api/v1" + path, **kwargs)
        response.json_body = json.loads(response.content) if response.content else None
        return response


@pytest.fixture
def api_as(people: dict[str, Any]) -> Any:
    clients: dict[str | None, ApiClient] = {}

    def make(name: str | None) -> ApiClient:
        if name not in clients:
            clients[name] = ApiClient(people[name] if name else None)
        return clients[name]

    return make
