"""Real recorded answers served to the client over its own `requests.Session`.

A transport adapter (requests' own extension point, below everything Orgbook wrote) answers each
request the client sends with the next recorded answer, byte for byte, and keeps what was sent.
Nothing of Orgbook is replaced: the client builds, sends, parses and maps errors as it does against
Salesforce.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

from orgbook.salesforce.client import SalesforceClient
from orgbook.salesforce.metadata_api import MetadataApi
from orgbook.salesforce.oauth import OAuthClient
from tests.salesforce_conformance.recordings import Exchange

INSTANCE = "https://orgname.my.salesforce.com"


class ReplayAdapter(BaseAdapter):
    def __init__(self, answers: Iterable[Exchange]) -> None:
        super().__init__()
        self.answers = list(answers)
        self.sent: list[requests.PreparedRequest] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if not self.answers:
            raise AssertionError(f"the client sent one request more than was recorded: {request.method} {request.url}")
        answer = self.answers.pop(0)
        self.sent.append(request)
        response = requests.Response()
        response.status_code = answer.status
        kind = "text/xml;charset=UTF-8" if answer.body.lstrip().startswith(b"<") else "application/json;charset=UTF-8"
        response.headers = CaseInsensitiveDict({"Content-Type": kind})
        response.raw = io.BytesIO(answer.body)
        response.url = request.url or ""
        response.request = request
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


def session(*answers: Exchange) -> tuple[requests.Session, ReplayAdapter]:
    adapter = ReplayAdapter(answers)
    s = requests.Session()
    s.mount("https://", adapter)
    s.mount("http://", adapter)
    return s, adapter


def client(*answers: Exchange, version: str = "62.0", refresher: Any = None) -> tuple[SalesforceClient, ReplayAdapter]:
    s, adapter = session(*answers)
    sf = SalesforceClient(INSTANCE, "00Dx0000000BV7z!REDACTED", version, refresher, session=s, sleep=lambda _: None)
    return sf, adapter


def metadata(*answers: Exchange, version: str = "62.0") -> tuple[MetadataApi, ReplayAdapter]:
    sf, adapter = client(*answers, version=version)
    return MetadataApi(sf, sleep=lambda _: None), adapter


def oauth(*answers: Exchange) -> tuple[OAuthClient, ReplayAdapter]:
    s, adapter = session(*answers)
    return OAuthClient("client-id", "client-secret", "https://orgbook.example/cb", session=s), adapter
