"""Reading the audit log: each event as a sentence a person reads, its values formatted, and the
filters the page and its CSV export share. `audit.py` writes events; this reads them.

`sentence` is the one place mapping an action to words ("Ana renewed to 1 licence; Acme Services
was suspended"). Stored values are machine values (ISO timestamps with microseconds, None, lists,
role codes); `format_value` turns each into what a person writes, and nothing reaches the page as
a Python repr.
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet

from orgbook.spaces.models import AuditEvent, Role, Space

SYSTEM = "Orgbook"
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ROLES = dict(Role.choices)
_REASONS = {"renewal": "a renewal to fewer licences"}
# Keys as words, for the details under a sentence and the CSV export.
_KEYS = {"licences": "licences", "connection_licences": "licences", "effective_on": "effective on",
         "suspended_at": "suspended at", "org_id": "org ID", "my_domain": "My Domain", "expires_at": "expires at",
         "sync_time": "daily sync at", "manual_sync_only": "manual sync only", "would_suspend": "would suspend",
         "active_implementations": "active implementations", "from_address": "from address",
         "failed_attempts": "failed attempts", "invalid_attempts": "invalid attempts",
         "requests_per_minute": "requests per minute"}


def _zone(space: Space | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(space.time_zone if space else "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def format_moment(moment: datetime, zone: zoneinfo.ZoneInfo) -> str:
    """To the minute, in the Space's zone: no seconds, no microseconds."""
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def format_value(value: Any, zone: zoneinfo.ZoneInfo | None = None) -> str:
    """A stored value as a person writes it: never 'None', '[...]', "{...}" or microseconds."""
    zone = zone or zoneinfo.ZoneInfo("UTC")
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return format_moment(value, zone)
    if isinstance(value, str) and _ISO_MOMENT.match(value):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return value
        return format_moment(parsed if parsed.tzinfo else parsed.replace(tzinfo=zoneinfo.ZoneInfo("UTC")), zone)
    if isinstance(value, str) and _ISO_DAY.match(value):
        return value
    if isinstance(value, dict):
        if "name" in value:  # an object named by id and name ({"id": 3, "name": "Retail"})
            return str(value["name"])
        return "; ".join(f"{_key(k)}: {format_value(v, zone)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return _and([format_value(v, zone) for v in value])
    return str(value)


def _key(key: str) -> str:
    return _KEYS.get(key, key.replace("_", " "))


def _and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plural(n: Any, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def actor_name(event: AuditEvent) -> str:
    """Who did it: the person's name when they gave one, else their email; Orgbook for the system."""
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.email
    return event.actor_email if event.actor_email and event.actor_email != "system" else SYSTEM


@dataclass(frozen=True)
class _Facts:
    who: str
    who_email: str
    target: str
    before: dict[str, Any]
    after: dict[str, Any]
    zone: zoneinfo.ZoneInfo

    def get(self, key: str, default: str = "") -> str:
        value = self.after.get(key, self.before.get(key))
        return default if value is None else format_value(value, self.zone)

    def role(self, side: dict[str, Any]) -> str:
        return _ROLES.get(str(side.get("role", "")), str(side.get("role", "")) or "a member")

    def member(self) -> str:
        # A membership's target reads "email in Space as role": the email is what a person knows it by.
        return self.before.get("email") or self.target.split(" in ", 1)[0]


def _renewed(f: _Facts) -> str:
    text = f"{f.who} renewed to {_plural(f.after.get('licences'), 'licence')}"
    suspended = [str(n) for n in f.after.get("suspended") or []]
    if suspended:
        text += f"; {_and(suspended)} {'was' if len(suspended) == 1 else 'were'} suspended"
    return text


def _renewal_recorded(f: _Facts) -> str:
    text = (f"{f.who} recorded a renewal to {_plural(f.after.get('connection_licences'), 'licence')} "
            f"from {f.get('effective_on')}")
    would = [format_value(i, f.zone) for i in f.after.get("would_suspend") or []]
    return text + (f"; it will suspend {_and(would)}" if would else "")


def _updated(f: _Facts) -> str:
    changed = [k for k in ("name", "description") if f.before.get(k) != f.after.get(k)]
    if not changed:
        return f"{f.who} saved {f.target} without changes"
    parts = [f"{k} from “{format_value(f.before.get(k))}” to “{format_value(f.after.get(k))}”" for k in changed]
    return f"{f.who} changed the implementation {f.target}: {_and(parts)}"


def _schedule(f: _Facts) -> str:
    if f.after.get("manual_sync_only"):
        return f"{f.who} set {f.target} to manual sync only"
    return f"{f.who} set {f.target} to sync every day at {f.after.get('sync_time')}"


def _suspended(f: _Facts) -> str:
    reason = str(f.after.get("reason") or "")
    return f"{f.target} was suspended" + (f" after {_REASONS.get(reason, reason)}" if reason else "")


def _removed(f: _Facts) -> str:
    if f.who_email and f.who_email.lower() == f.member().lower():
        return f"{f.who} left the Space"
    return f"{f.who} removed {f.member()} ({f.role(f.before)})"


SENTENCES: dict[str, Callable[[_Facts], str]] = {
    "space.created": lambda f: f"{f.who} created the Space {f.target} "
                               f"({f.get('plan')} plan, {_plural(f.after.get('licences'), 'licence')})",
    "implementation.created": lambda f: f"{f.who} created the implementation {f.target}",
    "implementation.updated": _updated,
    "implementation.deleted": lambda f: f"{f.who} deleted the implementation {f.target}",
    "implementation.suspended": _suspended,
    "implementation.reactivated": lambda f: f"{f.who} reactivated {f.target}",
    "implementation.purged": lambda f: f"{f.target} was deleted at the end of its retention period",
    "implementation.purge_failed": lambda f: f"Deleting {f.target} at the end of its retention period failed: "
                                             f"{f.get('error')}",
    "subscription.renewal_recorded": _renewal_recorded,
    "subscription.renewed": _renewed,
    "member.invited": lambda f: f"{f.who} invited {f.get('email')} as {f.role(f.after)}",
    "member.invitation_resent": lambda f: f"{f.who} sent the invitation to {f.get('email')} again",
    "member.invitation_revoked": lambda f: f"{f.who} revoked the invitation to {f.get('email')}",
    "member.joined": lambda f: f"{f.who} joined as {f.role(f.after)} (by the {f.get('proof', 'invitation link')})",
    "member.role_changed": lambda f: f"{f.who} changed the role of {f.member()} from {f.role(f.before)} "
                                     f"to {f.role(f.after)}",
    "member.removed": _removed,
    "org.connected": lambda f: f"{f.who} connected the {f.get('kind', 'Salesforce')} org {f.target}",
    "org.reconnected": lambda f: f"{f.who} reconnected {f.target}",
    "org.disconnected": lambda f: f"{f.who} disconnected {f.target}",
    "org.needs_reauth": lambda f: f"{f.target} needs re-authorisation: {f.get('reason')}",
    "org.sandbox_rebound": lambda f: f"{f.who} re-bound the refreshed sandbox {f.target}",
    "org.connect_refused": lambda f: f"Connecting an org ({f.get('org_id')}) to {f.target} was refused: "
                                     f"{f.get('reason').replace('_', ' ')}",
    "org.schedule_changed": _schedule,
    "webhook.created": lambda f: f"{f.who} added a webhook to {f.get('url')}",
    "webhook.deleted": lambda f: f"{f.who} removed the webhook to {f.get('url')}",
    "token.locked_out": lambda f: f"{f.get('owner')}'s token {f.get('token')} was locked out after "
                                  f"{f.get('invalid_attempts')} invalid attempts",
    "token.rate_limited": lambda f: f"{f.get('owner')}'s token {f.get('token')} went over "
                                    f"{f.get('requests_per_minute')} requests a minute",
    "login.locked_out": lambda f: f"Sign-in for {f.target} was locked for {f.get('minutes')} minutes after "
                                  f"{f.get('failed_attempts')} failed attempts from {f.get('from_address')}",
    "upload.rejected": lambda f: f"An upload to {f.get('model')} was rejected: {f.get('error')}",
    "documentation.edited": lambda f: f"{f.who} edited the documentation of {f.target} "
                                      f"(revision {f.get('revision')})",
    "reference_model.created": lambda f: f"{f.who} created the reference model {f.get('name') or f.target}",
    "reference_model.tree_imported": lambda f: f"{f.who} imported a tree into the reference model {f.target}",
    "link.created": lambda f: f"{f.who} added the manual link {f.target}",
    "link.deleted": lambda f: f"{f.who} removed the manual link {f.target}",
    "component.proposed": lambda f: f"{f.who} proposed the component {f.target.removeprefix('proposed ')}",
}


def action_label(action: str) -> str:
    """An action code as words, for the filter: "member.role_changed" → "Member: role changed"."""
    kind, _, what = action.partition(".")
    return f"{kind.replace('_', ' ').capitalize()}: {what.replace('_', ' ')}" if what else action


def sentence(event: AuditEvent) -> str:
    """The event as a person says it, in the Space's time zone."""
    facts = _Facts(who=actor_name(event), who_email=event.actor_email, target=event.target_repr or "it", before=event.before or {},
                   after=event.after or {}, zone=_zone(event.space))
    describe = SENTENCES.get(event.action)
    if describe is None:  # an action this map does not know yet: still words, never a repr
        return f"{facts.who}: {action_label(event.action).lower()}" + (f" ({facts.target})" if event.target_repr else "")
    return describe(facts) + "."


def details(values: dict[str, Any] | None, zone: zoneinfo.ZoneInfo) -> list[tuple[str, str]]:
    """A stored before/after as (label, value) pairs a person reads; ids are left out."""
    return [(_key(k), format_value(v, zone)) for k, v in (values or {}).items() if k != "id"]


@dataclass(frozen=True)
class Filters:
    """What the page and its export filter on; each empty means "all"."""

    action: str = ""
    person: str = ""  # an actor's email, or "system"
    target: str = ""  # words in the target's name
    since: date | None = None
    until: date | None = None  # inclusive

    @classmethod
    def from_query(cls, query: Any) -> Filters:
        return cls(action=query.get("action", "").strip(), person=query.get("person", "").strip().lower(),
                   target=query.get("target", "").strip()[:200], since=_day(query.get("from")),
                   until=_day(query.get("to")))

    def is_empty(self) -> bool:
        return not (self.action or self.person or self.target or self.since or self.until)

    def as_query(self) -> dict[str, str]:
        pairs = {"action": self.action, "person": self.person, "target": self.target,
                 "from": self.since.isoformat() if self.since else "", "to": self.until.isoformat() if self.until else ""}
        return {k: v for k, v in pairs.items() if v}


def _day(text: Any) -> date | None:
    try:
        return date.fromisoformat(str(text).strip()) if text else None
    except ValueError:
        return None


def events_of(space: Space, filters: Filters) -> QuerySet[AuditEvent]:
    """The Space's events, newest first, as `filters` narrow them; days are the Space's days."""
    events = AuditEvent.objects.filter(space=space).select_related("actor", "space").order_by("-at", "-id")
    zone = _zone(space)
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.person == "system":
        events = events.filter(Q(actor__isnull=True))
    elif filters.person:
        events = events.filter(actor_email__iexact=filters.person)
    if filters.target:
        events = events.filter(target_repr__icontains=filters.target)
    if filters.since:
        events = events.filter(at__gte=datetime.combine(filters.since, time.min, tzinfo=zone))
    if filters.until:
        events = events.filter(at__lt=datetime.combine(filters.until + timedelta(days=1), time.min, tzinfo=zone))
    return events


def people_of(space: Space) -> list[tuple[str, str]]:
    """(value, label) for the person filter: everyone who appears in the Space's log, and Orgbook."""
    emails = sorted(set(AuditEvent.objects.filter(space=space, actor__isnull=False)
                        .values_list("actor_email", flat=True)))
    return [(e.lower(), e) for e in emails] + [("system", f"{SYSTEM} (automatic)")]


def actions_of(space: Space) -> list[tuple[str, str]]:
    found: Iterable[str] = AuditEvent.objects.filter(space=space).values_list("action", flat=True).distinct()
    return sorted(((a, action_label(a)) for a in set(found)), key=lambda pair: pair[1])


def zone_of(space: Space) -> zoneinfo.ZoneInfo:
    return _zone(space)
