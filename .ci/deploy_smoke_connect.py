"""The deploy smoke test's browser and API part (run by .ci/deploy-smoke with the installed venv's Python).

docs/deploy.md's step "Connect the first org": the admin logs in, creates an implementation, presses
Connect Org, logs in to Salesforce and allows access; the worker then runs the first sync. Here the
browser is a `requests` session and Salesforce is the fakeforce emulator, whose control endpoint
approves the login at once. The result is read the way an integration would: through the REST API
with a personal access token. Standard library and `requests` only (both come with `pip install`).
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from typing import Any
from urllib.parse import urljoin

import requests

HTTP_TIMEOUT_S = 30
START = time.monotonic()
# dreamhouse-lwc, the demo org the package ships: 7 fields on Broker__c and 25 on Property__c.
EXPECTED_CUSTOM_FIELDS = 32
EXPECTED_FIELD = "Property__c.Price__c"


class SmokeFailure(Exception):
    """A step did not give what the guide says it gives."""


def say(message: str) -> None:
    print(f"[{time.monotonic() - START:6.1f} s] {message}", flush=True)


def expect(response: requests.Response, *statuses: int) -> requests.Response:
    if response.status_code not in statuses:
        raise SmokeFailure(f"{response.request.method} {response.url} answered {response.status_code}, "
                           f"expected {statuses}: {response.text[:500]}")
    return response


def csrf_token(session: requests.Session, url: str) -> str:
    page = expect(session.get(url, timeout=HTTP_TIMEOUT_S), 200).text
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if found is None:
        raise SmokeFailure(f"{url} has no CSRF token in its form")
    return found.group(1)


def log_in(session: requests.Session, base: str, email: str, password: str) -> None:
    url = f"{base}/login/"
    token = csrf_token(session, url)
    answer = session.post(url, data={"username": email, "password": password, "csrfmiddlewaretoken": token},
                          allow_redirects=False, timeout=HTTP_TIMEOUT_S)
    expect(answer, 302)  # a wrong password re-renders the form with 200


def create_implementation(api: requests.Session, base: str, space: str, name: str) -> int:
    answer = api.post(f"{base}/api/v1/spaces/{space}/implementations", json={"name": name, "description": ""},
                      timeout=HTTP_TIMEOUT_S)
    return int(expect(answer, 201).json()["id"])


def connect_production_org(session: requests.Session, base: str, space: str, impl_id: int,
                           login_url: str, sf_username: str) -> None:
    """Connect Org's last step, Salesforce's login and Allow, then the OAuth callback."""
    token = csrf_token(session, f"{base}/s/{space}/connect/next/?kind=production&impl={impl_id}")
    answer = expect(session.post(f"{base}/orgs/s/{space}/login/",
                                 data={"kind": "production", "implementation": impl_id, "my_domain": "",
                                       "csrfmiddlewaretoken": token},
                                 allow_redirects=False, timeout=HTTP_TIMEOUT_S), 302, 303)
    authorize_url = answer.headers["Location"]
    if not authorize_url.startswith(login_url):
        raise SmokeFailure(f"Connect Org sent the browser to {authorize_url}, not to ORGBOOK_SF_LOGIN_URL {login_url}")
    expect(requests.post(f"{login_url}/__fakeforce/set_auto_approve", json={"username": sf_username},
                         timeout=HTTP_TIMEOUT_S), 200)
    approved = expect(requests.get(authorize_url, allow_redirects=False, timeout=HTTP_TIMEOUT_S), 302, 303)
    callback = approved.headers["Location"]
    if not callback.startswith(f"{base}/orgs/oauth/callback"):
        raise SmokeFailure(f"Salesforce sent the browser back to {callback}, not to ORGBOOK_BASE_URL's callback")
    # The callback saves the connection and queues the first sync on the broker: a worker-side import
    # error (a missing dependency of the broker's transport) shows here as a 500.
    # A refusal renders its page (4xx); a new connection is sent on to its first sync's page.
    done = expect(session.get(callback, allow_redirects=False, timeout=HTTP_TIMEOUT_S), 302)
    if not done.headers["Location"].endswith("/first-sync/"):
        raise SmokeFailure(f"the OAuth callback sent the browser to {done.headers['Location']}, "
                           "not to the new connection's first-sync page")
    expect(session.get(urljoin(base + "/", done.headers["Location"]), timeout=HTTP_TIMEOUT_S), 200)


def connection_id(api: requests.Session, base: str, space: str, impl_id: int) -> int:
    body = expect(api.get(f"{base}/api/v1/spaces/{space}/implementations/{impl_id}", timeout=HTTP_TIMEOUT_S), 200).json()
    if not body.get("production"):
        raise SmokeFailure(f"the implementation has no production org after connecting: {body}")
    return int(body["production"]["id"])


def wait_for_first_sync(api: requests.Session, url: str, deadline_s: float) -> dict[str, Any]:
    """Poll the sync runs until the worker finishes one; the scheduler is not needed for the first sync."""
    until = time.monotonic() + deadline_s
    last = ""
    while time.monotonic() < until:
        runs = expect(api.get(url, timeout=HTTP_TIMEOUT_S), 200).json()
        finished = [r for r in runs if r["status"] != "running"]
        if finished:
            run: dict[str, Any] = finished[0]
            if run["status"] != "succeeded":
                raise SmokeFailure(f"the first sync {run['status']}: {run['error']}")
            return run
        state = f"{runs[0]['stage']} {runs[0]['progress']}%" if runs else "queued, no run yet"
        if state != last:
            say(f"  sync: {state}")
            last = state
        time.sleep(1)
    raise SmokeFailure(f"no finished sync after {deadline_s:.0f} s (last seen: {last}); is the worker running?")


def check_model(api: requests.Session, base: str, model_id: int) -> None:
    fields = expect(api.get(f"{base}/api/v1/models/{model_id}/components", params={"type": "CustomField"},
                            timeout=HTTP_TIMEOUT_S), 200).json()
    if fields["count"] != EXPECTED_CUSTOM_FIELDS:
        raise SmokeFailure(f"the model has {fields['count']} CustomFields, expected {EXPECTED_CUSTOM_FIELDS}")
    field = expect(api.get(f"{base}/api/v1/models/{model_id}/components/CustomField/{EXPECTED_FIELD}",
                           timeout=HTTP_TIMEOUT_S), 200).json()
    say(f"  {fields['count']} CustomFields; {EXPECTED_FIELD} is labelled {field['label']!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    for name in ("base-url", "salesforce-login-url", "email", "password", "space", "salesforce-username", "token"):
        parser.add_argument(f"--{name}", required=True)
    parser.add_argument("--sync-timeout", type=float, default=120)
    args = parser.parse_args()
    base = args.base_url.rstrip("/")
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {args.token}"
    browser = requests.Session()
    browser.headers["Referer"] = urljoin(base, "/")
    try:
        say(f"log in to {base} as {args.email}")
        log_in(browser, base, args.email, args.password)
        impl_id = create_implementation(api, base, args.space, "Acme Retail")
        say(f"implementation {impl_id} created through the API; Connect Org (production)")
        connect_production_org(browser, base, args.space, impl_id, args.salesforce_login_url.rstrip("/"),
                               args.salesforce_username)
        conn_id = connection_id(api, base, args.space, impl_id)
        say(f"org connection {conn_id} saved; waiting for the worker's first sync (at most {args.sync_timeout:.0f} s)")
        runs_url = f"{base}/api/v1/spaces/{args.space}/implementations/{impl_id}/connections/{conn_id}/syncs"
        run = wait_for_first_sync(api, runs_url, args.sync_timeout)
        say(f"first sync succeeded: version {run['version']}, {run.get('added')} components added")
        check_model(api, base, int(run["model"]))
    except (SmokeFailure, requests.RequestException) as exc:
        say(f"FAILED: {exc}")
        return 1
    say("the org is connected and synced")
    return 0


if __name__ == "__main__":
    sys.exit(main())
