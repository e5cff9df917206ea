"""Dependencies read from markup and script bodies: Visualforce, Aura, LWC and email templates.

These bodies are not XML we can trust to be well-formed (Visualforce and Aura markup often is
not; LWC is JavaScript), so each is read with a small scanner that drops comments first, then
picks out the few constructs that name other components:

- Visualforce pages and components: `controller`, `extensions` and `standardController` of
  `<apex:page>` / `<apex:component>`, custom components (`<c:Name>`), `<apex:include
  pageName>`, and `{!...}` merge fields: paths on the standard controller's object
  (`{!Account.Rating__c}`) and globals (`$Label`, `$Resource`, `$ObjectType`, `$Setup`...).
- Aura bundles: the Apex `controller`, `extends`, `<c:name>` components and events named in
  markup (recorded as Aura bundles: Salesforce resolves `<c:x>` to an Aura component first),
  `{!$Label.c.X}`.
- LWC bundles (the bundle's main `.js`): `@salesforce/apex/Class.method`, `@salesforce/schema/
  Object.Field`, `@salesforce/label/c.X`, `@salesforce/resourceUrl/X`, `@salesforce/
  customPermission/X`, `@salesforce/messageChannel/X__c`, `@salesforce/contentAssetUrl/X` and
  other components imported as `c/name`.
- Email templates: merge fields in the subject and body (`{!Contact.FirstName}`,
  `{!Receiving_User.Title}` on User), Visualforce templates' `relatedToType` / `recipientType`
  with `{!relatedTo.X}` / `{!recipient.X}`, and the letterhead.

The handlers take the `_Edges` collector of `dependencies`; that module registers them, so this
one imports it only inside functions.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lxml import etree

from orgbook.metadata.components import ParsedComponent

if TYPE_CHECKING:
    from orgbook.metadata.dependencies import _Edges as Edges


_COMMENT_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
# An opening tag is this head, then attributes up to the first `>` outside quotes. One regex for
# both (`((?:[^>"']|"[^"]*"|'[^']*')*)>`) ran to the end of the text from every unclosed
# `<ns:tag` (16,000 of them: 44 s); `_tag_ends` finds every tag's end in one pass instead.
_TAG_HEAD = re.compile(r"<\s*([A-Za-z][\w-]*):([A-Za-z_][\w-]*)\b")
_TAG_STOP = re.compile(r"[>\"']")
_ATTR = re.compile(r"([A-Za-z_][\w:-]*)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_MERGE = re.compile(r"\{!(.*?)\}", re.S)
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _decode(body: bytes | None) -> str:
    return body.decode("utf-8", "replace") if body else ""


def _tag_ends(markup: str) -> tuple[list[int], list[int]]:
    """The positions of every `>`, `"` and `'`, and for each, where attributes that reach it
    outside quotes end: at the first `>` outside quotes, past a quote's closing twin (-1: no
    end, an unclosed quote or no `>`). Filled from the end, so each is worked out once."""
    stops = [m.start() for m in _TAG_STOP.finditer(markup)]
    ends = [-1] * (len(stops) + 1)
    next_same: dict[str, int] = {}  # index of the nearest later stop holding the same quote
    for k in range(len(stops) - 1, -1, -1):
        char = markup[stops[k]]
        if char == ">":
            ends[k] = stops[k]
            continue
        twin = next_same.get(char)
        ends[k] = ends[twin + 1] if twin is not None else -1
        next_same[char] = k
    return stops, ends


def _tags(markup: str) -> Iterator[tuple[str, str, dict[str, str]]]:
    """(prefix, name, attributes) of each opening tag such as `<apex:page controller="X">`."""
    stops, ends = _tag_ends(markup)
    pos = 0
    while (head := _TAG_HEAD.search(markup, pos)) is not None:
        end = ends[bisect_left(stops, head.end())]
        if end < 0:  # no `>` closes it: the next candidate may start inside it
            pos = head.start() + 1
            continue
        attrs = {m.group(1).lower(): (m.group(2) if m.group(2) is not None else m.group(3))
                 for m in _ATTR.finditer(markup, head.end(), end)}
        yield head.group(1).lower(), head.group(2), attrs
        pos = end + 1


def _merges(text: str) -> Iterator[re.Match[str]]:
    """`{!...}` merge fields. Searched only up to the last `}`: past it an unclosed `{!` ran to
    the end of the text, from every one of them (40,000: 29 s); before it, each finds its `}`."""
    return _MERGE.finditer(text, 0, text.rfind("}") + 1)


def _class_name(value: str) -> str | None:
    """`ns.MyController` -> `ns__MyController`; `c.X` and bare names stay as they are."""
    value = value.strip()
    head, _, tail = value.rpartition(".")
    if not tail or not _NAME.match(tail):
        return None
    return tail if head in ("", "c") else f"{head}__{tail}"


def _formula(edges: Edges, obj: str | None, text: str, where: str, aliases: dict[str, str | None]) -> None:
    """Merge-field paths in `{!...}`: globals, and paths that start with a known object alias
    (`relatedTo` -> its object; an alias mapped to None is an object named as written)."""
    from orgbook.metadata.dependencies import _field_path, _global_ref, formula_refs

    for path in formula_refs(text):
        head = path[0].lower()
        if head.startswith("$"):
            if head == "$label" and len(path) == 3:  # Aura / LWC style: $Label.c.X or $Label.ns.X
                edges.add("CustomLabel", path[2] if path[1].lower() == "c" else f"{path[1]}__{path[2]}", where)
            else:
                _global_ref(edges, obj, path, where)
        elif head in aliases and len(path) >= 2:
            _field_path(edges, aliases[head] or path[0], path[1:], where)


def _merge_fields(edges: Edges, text: str, where: str, aliases: dict[str, str | None]) -> None:
    for match in _merges(text):
        _formula(edges, None, match.group(1), where, aliases)


# --- Visualforce --------------------------------------------------------------------------------


def visualforce(edges: Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    markup = _COMMENT_MARKUP.sub("", _decode(c.body))
    aliases: dict[str, str | None] = {}
    for prefix, name, attrs in _tags(markup):
        lname = name.lower()
        if prefix == "apex" and lname in ("page", "component"):
            standard = attrs.get("standardcontroller", "").strip()
            if standard and _NAME.match(standard):
                edges.obj(standard, "standardController")
                aliases[standard.lower()] = standard
            for value in [attrs.get("controller", ""), *attrs.get("extensions", "").split(",")]:
                edges.add("ApexClass", _class_name(value) if value.strip() else None, "controller")
        elif prefix == "apex" and lname == "include":
            edges.add("ApexPage", attrs.get("pagename", "").strip() or None, "apex:include")
        elif prefix == "c":
            edges.add("ApexComponent", name, "markup")
    _merge_fields(edges, markup, "merge field", aliases)


# --- Aura -------------------------------------------------------------------------------------

_AURA_REF_ATTRS = ("extends", "type", "event")


def aura(edges: Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    markup = _COMMENT_MARKUP.sub("", _decode(c.body))
    for prefix, name, attrs in _tags(markup):
        if prefix == "aura" and name.lower() in ("component", "application", "event", "interface"):
            controller = attrs.get("controller", "")
            edges.add("ApexClass", _class_name(controller) if controller.strip() else None, "controller")
        for attr in _AURA_REF_ATTRS:
            value = attrs.get(attr, "").strip()
            if value.startswith("c:") and _NAME.match(value[2:]):
                edges.add("AuraDefinitionBundle", value[2:], attr)
        if prefix == "c" and name != c.full_name:
            edges.add("AuraDefinitionBundle", name, "markup")
    _merge_fields(edges, markup, "expression", {})


# --- LWC --------------------------------------------------------------------------------------

_JS_TOKEN = re.compile(r"""(?P<s>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|(?P<w>[A-Za-z_$][\w$]*)|(?P<p>\S)""")


def strip_js_comments(source: str) -> str:
    """JavaScript without its comments; strings and template literals kept (imports live there)."""
    out: list[str] = []
    i, n = 0, len(source)
    while i < n:
        ch = source[i]
        if ch == "/" and source.startswith("//", i):
            end = source.find("\n", i)
            i = n if end < 0 else end
        elif ch == "/" and source.startswith("/*", i):
            end = source.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif ch in "\"'`":
            j = i + 1
            while j < n and source[j] != ch:
                j += 2 if source[j] == "\\" else 1
            out.append(source[i : j + 1])
            i = j + 1
        else:
            j = i + 1
            while j < n and source[j] not in "/\"'`":
                j += 1
            out.append(source[i:j])
            i = j
    return "".join(out)


def _statement_stops(tokens: list[tuple[str | None, str]]) -> list[int]:
    """For each token, the index of the first string, `;` or `from` at or after it (len: none).
    Looked up, not scanned for: scanning from every `import` was quadratic (16,000: 21 s)."""
    stops = [len(tokens)] * (len(tokens) + 1)
    for k in range(len(tokens) - 1, -1, -1):
        kind, text = tokens[k]
        stops[k] = k if kind == "s" or text in (";", "from") else stops[k + 1]
    return stops


def js_imports(source: str) -> Iterator[str]:
    """Module specifiers of `import x from 'm'`, `import 'm'` and `import('m')`, outside strings."""
    tokens = [(m.lastgroup, m.group()) for m in _JS_TOKEN.finditer(strip_js_comments(source))]
    stops = _statement_stops(tokens)
    for i, (kind, text) in enumerate(tokens):
        if kind != "w" or text != "import" or (i and tokens[i - 1][1] == "."):
            continue
        j = i + 1
        if j < len(tokens) and tokens[j][1] == "(":
            j += 1
        else:  # skip the imported names up to `from`, within the statement
            j = stops[j]
            j += j < len(tokens) and tokens[j][1] == "from"
        if j < len(tokens) and tokens[j][0] == "s" and tokens[j][1][0] != "`":
            yield tokens[j][1][1:-1]


def _namespaced(ns: str, name: str) -> str:
    return name if ns in ("", "c") else f"{ns}__{name}"


def lwc(edges: Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    from orgbook.metadata.dependencies import _field_path, lightning_type_ref

    if root is not None:  # the Lightning types it shows or edits for an agent (`<sourceType name="c__x"/>`)
        for el in root.iter():
            if isinstance(el.tag, str) and etree.QName(el).localname == "sourceType" and el.get("name"):
                lightning_type_ref(edges, el.get("name") or "", "targetConfigs:sourceType")

    for spec in js_imports(_decode(c.body)):
        spec = spec.strip()
        if spec.startswith("c/"):
            edges.add("LightningComponentBundle", spec[2:] or None, "import")
            continue
        kind, _, rest = spec.removeprefix("@salesforce/").partition("/")
        if not spec.startswith("@salesforce/") or not rest:
            continue
        if kind == "apex":  # Class.method or ns.Class.method
            parts = rest.split(".")
            cls = parts[-2] if len(parts) >= 2 else parts[0]
            edges.add("ApexClass", _namespaced(parts[0], cls) if len(parts) == 3 else cls, "@salesforce/apex")
        elif kind == "schema":
            path = rest.split(".")
            edges.obj(path[0], "@salesforce/schema")
            if len(path) > 1:
                _field_path(edges, path[0], path[1:], "@salesforce/schema")
        elif kind == "label":
            ns, _, name = rest.partition(".")
            edges.add("CustomLabel", _namespaced(ns, name) if name else ns, "@salesforce/label")
        elif kind == "resourceUrl":
            edges.add("StaticResource", rest, "@salesforce/resourceUrl")
        elif kind == "customPermission":
            ns, _, name = rest.partition(".")
            edges.add("CustomPermission", _namespaced(ns, name) if name else ns, "@salesforce/customPermission")
        elif kind == "messageChannel":
            edges.add("LightningMessageChannel", rest.removesuffix("__c"), "@salesforce/messageChannel")
        elif kind == "contentAssetUrl":
            edges.add("ContentAsset", rest, "@salesforce/contentAssetUrl")


# --- email templates --------------------------------------------------------------------------

_USER_ALIASES = ("receiving_user", "sender", "user")
_STANDARD_MERGE_OBJECTS = (
    "account", "contact", "lead", "opportunity", "case", "contract", "order", "campaign", "asset",
    "solution", "product2", "quote", "organization", "event", "task",
)


def _meta_text(root: etree._Element | None, tag: str) -> str:
    if root is None:
        return ""
    for el in root:
        if isinstance(el.tag, str) and etree.QName(el).localname == tag:
            return el.text or ""
    return ""


def email_template(edges: Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    body = _COMMENT_MARKUP.sub("", _decode(c.body))
    letterhead = _meta_text(root, "letterhead").strip()
    edges.add("Letterhead", letterhead or None, "letterhead")
    if _meta_text(root, "type").strip().lower() == "visualforce" or "<messaging:emailtemplate" in body.lower():
        vf_aliases: dict[str, str | None] = {}
        for prefix, name, attrs in _tags(body):
            if prefix == "messaging" and name.lower() == "emailtemplate":
                for attr, alias, where in (("relatedtotype", "relatedto", "relatedToType"),
                                           ("recipienttype", "recipient", "recipientType")):
                    obj = attrs.get(attr, "").strip()
                    if obj and _NAME.match(obj):
                        edges.obj(obj, where)
                        vf_aliases[alias] = obj
            elif prefix == "c":
                edges.add("ApexComponent", name, "markup")
        _merge_fields(edges, body, "merge field", vf_aliases)
        return
    related = _meta_text(root, "relatedEntityType").strip()
    # Classic templates name the object itself: {!Contact.FirstName}, {!Property__c.Price__c}.
    aliases: dict[str, str | None] = dict.fromkeys(_STANDARD_MERGE_OBJECTS)
    aliases.update(dict.fromkeys(_USER_ALIASES, "User"))
    if related and _NAME.match(related):
        edges.obj(related, "relatedEntityType")
        aliases[related.lower()] = related
    text = f"{_meta_text(root, 'subject')}\n{body}"
    for match in _merges(text):
        custom = {m.group(1).lower(): None for m in _CUSTOM_HEAD.finditer(match.group(1))}
        _formula(edges, None, match.group(1), "merge field", {**custom, **aliases})


_CUSTOM_HEAD = re.compile(r"\b([A-Za-z]\w*__c)\s*\.")


HANDLERS = {
    "ApexPage": visualforce,
    "ApexComponent": visualforce,
    "AuraDefinitionBundle": aura,
    "LightningComponentBundle": lwc,
    "EmailTemplate": email_template,
}
