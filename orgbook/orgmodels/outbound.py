"""Calls Orgbook makes to addresses its users give (webhooks): never to its own network.

A webhook URL is the user's, and Orgbook's machine can reach addresses the user cannot: the
database, Redis, the cloud's metadata service (169.254.169.254), other services on the private
network. Once a webhook to http://127.0.0.1:8209/ was called with its signature and its
`last_status` worked as a port probe. So every address a host name resolves to is checked when
the webhook is saved, and again as each connection is opened (the name may resolve elsewhere by
then); redirects are not followed. ORGBOOK_WEBHOOK_ALLOWED_NETWORKS opens chosen networks on purpose.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NewConnectionError
from urllib3.util import connection

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class BlockedAddress(ValueError):
    """The target is on Orgbook's own network (or cannot be resolved)."""


def _kind(ip: IPAddress) -> str | None:
    """Why Orgbook will not call this address, or None when it may."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for network in settings.ORGBOOK_WEBHOOK_ALLOWED_NETWORKS:
        if ip in ipaddress.ip_network(network, strict=False):
            return None
    for kind, flag in (("a loopback", ip.is_loopback), ("an unspecified", ip.is_unspecified),
                       ("a link-local (cloud metadata)", ip.is_link_local), ("a private", ip.is_private),
                       ("a multicast", ip.is_multicast), ("a reserved", ip.is_reserved)):
        if flag:
            return kind
    return None


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address `host` names, each one allowed; BlockedAddress says which is not, and why."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise BlockedAddress(f"{host} cannot be resolved ({exc}); check the URL") from None
    addresses = [ipaddress.ip_address(str(info[4][0]).split("%", 1)[0]) for info in infos]
    for ip in addresses:
        kind = _kind(ip)
        if kind:
            raise BlockedAddress(
                f"{host} is {ip}, {kind} address: Orgbook does not call its own network. Use a public "
                "address, or have the administrator allow that network (ORGBOOK_WEBHOOK_ALLOWED_NETWORKS)")
    return addresses


def check_url(url: str) -> None:
    """Refuse a URL whose host names a blocked address (when a webhook is saved)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedAddress("the URL must start with https:// (or http://) and name a host")
    resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


class _Guarded:
    """Open the socket to an address that was checked just now, not to whatever the name resolves
    to later; TLS still verifies the certificate for the host name."""

    def _new_conn(self: Any) -> socket.socket:
        address = resolve(self._dns_host, self.port)[0]
        try:
            return connection.create_connection((str(address), self.port), self.timeout,
                                                source_address=self.source_address,
                                                socket_options=self.socket_options)
        except OSError as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from exc


class _GuardedHTTPConnection(_Guarded, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_Guarded, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


class _GuardedAdapter(HTTPAdapter):
    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}


def post(url: str, **kwargs: Any) -> requests.Response:
    """requests.post to a user's URL: checked addresses only, no redirects (a redirect is an answer)."""
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: the check must see the real target
        adapter = _GuardedAdapter()
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        return session.post(url, allow_redirects=False, **kwargs)
