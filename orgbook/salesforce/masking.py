"""Keeping tokens out of logs, exception messages and reprs.

Access and refresh tokens are bearer credentials. Anything that can reach a log line or an
exception (response bodies, URLs, error descriptions) goes through `scrub()` first, and every
object holding a token masks it in its repr.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Salesforce access tokens look like `<15-char org id>!<opaque>`; scrub that shape even when we
# do not know the exact token (e.g. a server echoing some other session id).
_ACCESS_TOKEN_SHAPE = re.compile(r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._\-]{10,}")


def mask(token: str | None) -> str:
    """A short, non-reversible label for a token: enough to tell two apart in a debug session."""
    if not token:
        return "<none>"
    return f"<token …{len(token)} chars>"


def scrub(text: str, secrets: Iterable[str | None] = ()) -> str:
    """Remove known secrets and anything shaped like an access token from `text`."""
    for secret in secrets:
        if secret and len(secret) >= 8:
            text = text.replace(secret, "<redacted>")
    return _ACCESS_TOKEN_SHAPE.sub("<redacted>", text)
