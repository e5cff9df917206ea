"""Every answer carries a Content-Security-Policy that allows no inline script and nothing from
another host; behind HTTPS (secure cookies on), HSTS and the proxy's scheme header too."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import Any

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def _policy(response: Any) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in response["Content-Security-Policy"].split(";") if part.strip())
    return {d[0]: d[1:] for d in directives}


@pytest.mark.parametrize("path", ["/login/", "/api/v1/docs", "/no-such-page/"])
def test_pages_forbid_inline_and_remote_scripts(path: str) -> None:
    policy = _policy(Client().get(path))
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no other host
    assert policy["default-src"] == ["'self'"] and policy["frame-ancestors"] == ["'none'"]


def test_the_api_answers_carry_it_too(people: dict[str, Any]) -> None:
    response = Client().get("/api/v1/spaces")
    assert response.status_code == 401 and "script-src 'self'" in response["Content-Security-Policy"]


def _setting(secure: str, expression: str) -> str:
    env = {**os.environ, "ORGBOOK_SECURE_COOKIES": secure, "DJANGO_SETTINGS_MODULE": "orgbook.settings"}
    code = f"import django; django.setup(); from django.conf import settings as s; print({expression})"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()


def test_https_deployments_send_hsts_and_trust_the_proxy_scheme_header() -> None:
    assert _setting("true", "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER") == \
        "31536000 ('HTTP_X_FORWARDED_PROTO', 'https')"
    assert _setting("false", "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER") == "0 None"
