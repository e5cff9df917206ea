"""Detect what an upload is: a Metadata API folder, an SFDX project, or a zip of either.

The format is read from the files, not from the presence of `sfdx-project.json`: real
projects point `packageDirectories` at folders in Metadata API format (Volunteers for
Salesforce does), and CumulusCI repositories mix both.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from orgbook.metadata.archive import Source, UnreadableFileError
from orgbook.metadata.components import ReadProblem
from orgbook.metadata.registry import REGISTRY, Strategy

META = "-meta.xml"
_MAX_PROJECT_JSON = 1024 * 1024


class SourceFormat(StrEnum):
    MDAPI = "mdapi"
    SFDX = "sfdx"


@dataclass(frozen=True)
class DetectedFormat:
    format: SourceFormat
    root: str  # folder of package.xml / sfdx-project.json inside the source ('' = top)
    package_dirs: tuple[str, ...]  # folders to read, relative to the source
    namespace: str | None = None
    api_version: str | None = None
    dir_formats: dict[str, SourceFormat] = field(default_factory=dict)
    # An sfdx-project.json that could not be used (the whole root is read instead).
    problems: tuple[ReadProblem, ...] = ()
    project: dict[str, Any] = field(default_factory=dict)  # project_facts() of sfdx-project.json


def _join(*parts: str) -> str:
    return "/".join(p.strip("/") for p in parts if p.strip("/"))


def find_root(source: Source) -> str:
    """Descend through single wrapping folders (`unpackaged/`, `repo-main/`) to the project root."""
    root = ""
    for _ in range(4):
        prefix = root + "/" if root else ""
        if source.exists(prefix + "package.xml") or source.exists(prefix + "sfdx-project.json"):
            return root
        tops = {p[len(prefix):].split("/", 1)[0] for p in source.files(root) if "/" in p[len(prefix):]}
        loose = [p for p in source.files(root) if "/" not in p[len(prefix):]]
        if len(tops) != 1 or any(_is_metadata_file(p) for p in loose):
            return root
        root = _join(root, tops.pop())
    return root


def _is_metadata_file(path: str) -> bool:
    return path.endswith(META) or path.endswith(".xml")


def _mdapi_suffixes() -> frozenset[str]:
    simple = {t.suffix for t in REGISTRY.types.values() if t.suffix and t.strategy is not Strategy.CONTENT}
    return frozenset(simple - {"md"})  # `.md` is also markdown


_MDAPI_SUFFIXES = _mdapi_suffixes()


def dir_format(source: Source, folder: str) -> SourceFormat:
    """Vote by file names: `X.object` is Metadata API, `X.object-meta.xml` is source."""
    if source.exists(_join(folder, "package.xml")):
        return SourceFormat.MDAPI
    mdapi = sfdx = 0
    for path in source.files(folder):
        name = path.rsplit("/", 1)[-1]
        if name.endswith(META):
            ext = name[: -len(META)].rpartition(".")[2]
            sfdx += ext in _MDAPI_SUFFIXES or REGISTRY.child_by_suffix(ext) is not None
        else:
            mdapi += name.rpartition(".")[2] in _MDAPI_SUFFIXES
    return SourceFormat.MDAPI if mdapi > sfdx else SourceFormat.SFDX


def _read_project(source: Source, root: str) -> tuple[dict[str, object], str]:
    """The project file's settings, or `{}` and why it could not be used."""
    try:
        data = source.read(_join(root, "sfdx-project.json"))
    except UnreadableFileError as exc:
        return {}, str(exc)
    if len(data) > _MAX_PROJECT_JSON:
        return {}, f"over {_MAX_PROJECT_JSON} bytes"
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        return {}, f"not valid JSON ({exc})"
    except RecursionError:  # nesting deeper than the interpreter's stack
        return {}, "nested too deeply to read"
    return (loaded, "") if isinstance(loaded, dict) else ({}, "not a JSON object")


def _package_dirs(source: Source, root: str, project: dict[str, object]) -> list[str]:
    dirs: list[str] = []
    entries = project.get("packageDirectories")
    for entry in entries if isinstance(entries, list) else []:
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str):
            continue
        full = _join(root, path)
        if full not in dirs and any(True for _ in source.files(full)):
            dirs.append(full)
    return dirs


def _project_problems(root: str, why: str) -> tuple[ReadProblem, ...]:
    if not why:
        return ()
    path = _join(root, "sfdx-project.json")
    message = f"{path}: {why}; its package directories were not used, every folder under it was read."
    return (ReadProblem(path, message, "malformed"),)


def _text(value: object, limit: int = 200) -> str | None:
    if isinstance(value, str | int | float) and not isinstance(value, bool) and str(value).strip():
        return str(value).strip()[:limit]
    return None


def _dependencies(value: object) -> list[dict[str, str]]:
    deps = []
    for dep in value if isinstance(value, list) else []:
        if isinstance(dep, dict) and _text(dep.get("package")):
            entry = {"package": _text(dep.get("package")) or ""}
            if _text(dep.get("versionNumber")):
                entry["versionNumber"] = _text(dep.get("versionNumber")) or ""
            deps.append(entry)
    return deps[:200]


def project_facts(project: dict[str, object], root: str = "") -> dict[str, Any]:
    """What sfdx-project.json says about the project: its name, namespace, source API version
    and package directories (path, package name, version, default, dependencies). Only strings
    are kept, so a hostile file cannot put anything else into the model."""
    facts: dict[str, Any] = {"file": _join(root, "sfdx-project.json")}
    for key in ("name", "namespace", "sourceApiVersion", "sfdcLoginUrl"):
        if _text(project.get(key)):
            facts[key] = _text(project.get(key))
    dirs = []
    entries = project.get("packageDirectories")
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not _text(entry.get("path")):
            continue
        d: dict[str, Any] = {"path": _text(entry.get("path"), 400), "default": entry.get("default") is True}
        for key in ("package", "versionName", "versionNumber", "versionDescription"):
            if _text(entry.get(key)):
                d[key] = _text(entry.get(key), 400)
        d["dependencies"] = _dependencies(entry.get("dependencies"))
        dirs.append(d)
    facts["packageDirectories"] = dirs[:100]
    return facts


def detect_format(source: Source) -> DetectedFormat:
    """Work out the format and the folders to read."""
    root = find_root(source)
    if source.exists(_join(root, "sfdx-project.json")):
        project, why = _read_project(source, root)
        dirs = _package_dirs(source, root, project) or [root]
        formats = {d: dir_format(source, d) for d in dirs}
        overall = SourceFormat.MDAPI if all(f is SourceFormat.MDAPI for f in formats.values()) else SourceFormat.SFDX
        ns = project.get("namespace")
        api = project.get("sourceApiVersion")
        return DetectedFormat(
            overall, root, tuple(dirs), ns if isinstance(ns, str) and ns else None,
            str(api) if api else None, formats, _project_problems(root, why), project_facts(project, root),
        )
    fmt = dir_format(source, root)
    return DetectedFormat(fmt, root, (root,), dir_formats={root: fmt})
