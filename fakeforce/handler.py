"""HTTP plumbing: one ThreadingHTTPServer per emulated host, routing by path."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from .emulator import Emulator


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    host_kind: str  # login | sandbox_login | org
    org_key: str | None  # the org whose instance host received the request

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8", "replace"), keep_blank_values=True).items()}

    def json(self) -> dict[str, Any]:
        return json.loads(self.body or b"{}")


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json;charset=UTF-8"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering (timeout fault)


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(status, json.dumps(data).encode(), headers=headers or {})


def text_response(text: str, status: int, content_type: str = "text/plain;charset=UTF-8") -> Response:
    return Response(status, text.encode(), content_type)


def rest_error(status: int, code: str, message: str) -> Response:
    return json_response([{"message": message, "errorCode": code}], status)


def route(emu: Emulator, req: Request) -> Response:
    from . import control, oauth, rest, soap

    path = req.path
    if path.startswith("/__fakeforce/"):
        return control.handle(emu, req)
    if path.startswith("/services/oauth2/") or path.startswith("/id/"):
        return oauth.handle(emu, req)
    if path == "/services/data" or path.startswith("/services/data/"):
        return rest.handle(emu, req)
    if path.startswith("/services/Soap/m/"):
        return soap.handle(emu, req)
    return text_response("Not Found", 404)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive for requests.Session
    server: FakeServer

    def _serve(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        req = Request(self.command, split.path, {k: v[0] for k, v in parse_qs(split.query, keep_blank_values=True).items()},
                      {k.lower(): v for k, v in self.headers.items()}, body, self.server.host_kind, self.server.org_key)
        try:
            resp = route(self.server.emu, req)
        except Exception as exc:  # a bug here must surface as a 500, not a hung client
            resp = rest_error(500, "UNKNOWN_EXCEPTION", f"fakeforce internal error: {exc!r}")
        if resp.drop:
            self.close_connection = True
            return
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(len(resp.body)))
        for name, value in resp.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(resp.body)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = do_HEAD = _serve

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # quiet: tests run thousands of requests


class FakeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, emu: Emulator, host_kind: str, org_key: str | None, port: int) -> None:
        self.emu = emu
        self.host_kind = host_kind
        self.org_key = org_key
        super().__init__(("127.0.0.1", port), Handler)


def make_server(emu: Emulator, host_kind: str, org_key: str | None, port: int) -> FakeServer:
    return FakeServer(emu, host_kind, org_key, port)
