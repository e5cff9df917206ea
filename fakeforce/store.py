"""One org's metadata, held in Metadata API format, plus the FileProperties of every component.

Loading accepts an SFDX project (converted here: decomposed objects recomposed into one .object,
`-meta.xml` suffixes dropped, static-resource folders zipped) or a Metadata API folder
(with package.xml). Format is detected from the files, not from sfdx-project.json
(the corpus has an mdapi `src/` named by an sfdx-project.json).
"""

from __future__ import annotations

import copy
import io
import json
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

from lxml import etree

from . import ids, xmlutil
from .types import (
    BY_DIRECTORY,
    CHILD_TYPES,
    FOLDER_TYPES,
    ChildType,
    MetaType,
    in_directory,
    is_custom_object_name,
    lookup,
)

META = "-meta.xml"
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
PLACEHOLDER_DATE = "1970-01-01T00:00:00.000Z"

# Key prefixes for minted component IDs (docs/salesforce-protocols.md §0.2 and common ones).
_ID_PREFIX = {
    "apexclass": "01p", "apextrigger": "01q", "customfield": "00N", "customobject": "01I", "layout": "00h",
    "flow": "301", "apexpage": "066", "apexcomponent": "099", "profile": "00e", "permissionset": "0PS",
    "lightningcomponentbundle": "0Rb", "auradefinitionbundle": "0Ad", "staticresource": "081",
    "validationrule": "03d", "recordtype": "012", "listview": "00B", "report": "00O", "dashboard": "01Z",
    "emailtemplate": "00X", "document": "015", "customtab": "01r", "flexipage": "0M0", "weblink": "00b",
    "customlabel": "101", "workflowrule": "01Q", "reportfolder": "00l", "dashboardfolder": "00l",
    "emailfolder": "00l", "documentfolder": "00l", "customapplication": "02u", "fieldset": "0Ib",
}


@dataclass(frozen=True)
class Props:
    """The change-tracking half of FileProperties."""

    id: str
    created_by_id: str
    created_by_name: str
    created_date: str
    last_modified_by_id: str
    last_modified_by_name: str
    last_modified_date: str


@dataclass
class Component:
    type: str
    full_name: str
    files: dict[str, bytes]  # mdapi-relative path -> bytes


@dataclass(frozen=True)
class Listed:
    type: str
    full_name: str
    file_name: str
    props: Props


Key = tuple[str, str]


def key(type_name: str, full_name: str) -> Key:
    return (type_name.lower(), full_name.lower())


# --------------------------------------------------------------------------------------------
# Reading folders


def read_folder(root: Path) -> dict[str, bytes]:
    """Return the Metadata-API-format files of an SFDX or mdapi folder."""
    if _is_mdapi(root):
        return _read_mdapi(root)
    project = root / "sfdx-project.json"
    if project.is_file():
        dirs = [d.get("path", "") for d in json.loads(project.read_text()).get("packageDirectories", [])]
        merged: dict[str, bytes] = {}
        subs = [root / d for d in dict.fromkeys(dirs)]  # FlowUtilities lists force-app twice
        for sub in subs:
            if _is_mdapi(sub):
                merged.update(_read_mdapi(sub))
        # Source directories are deployed together: an object's fields spread over several
        # directories (the Retail kit's Account) end in one .object, as in the org.
        merged.update(convert_source(*(sub for sub in subs if not _is_mdapi(sub))))
        return merged
    return convert_source(root)


def _is_mdapi(root: Path) -> bool:
    """A package.xml beside type folders (objects/, classes/): a source folder may keep its
    manifest at its root too (the Retail kit's diy-base/package.xml beside main/)."""
    return (root / "package.xml").is_file() and any(p.is_dir() and p.name in BY_DIRECTORY for p in root.iterdir())


def _walk(root: Path) -> list[tuple[str, Path]]:
    out = []
    for p in sorted(root.rglob("*")):
        if p.is_file() and "__tests__" not in p.parts and not p.name.startswith("."):
            out.append((p.relative_to(root).as_posix(), p))
    return out


def _read_mdapi(root: Path) -> dict[str, bytes]:
    files = {}
    for rel, p in _walk(root):
        if "/" in rel and rel.split("/", 1)[0] in BY_DIRECTORY:
            files[rel] = p.read_bytes()
    return files


def convert_source(*roots: Path) -> dict[str, bytes]:
    """SFDX source format -> Metadata API files (docs/salesforce-protocols.md §5.2)."""
    out: dict[str, bytes] = {}
    decomposed: dict[tuple[str, str], dict[str, list[tuple[str, bytes]]]] = {}
    resources: dict[str, dict[str, object]] = {}
    walked = [item for root in roots for item in _walk(root)]
    for rel, path in walked:
        parts = rel.split("/")
        idx = next((i for i, part in enumerate(parts[:-1]) if part in BY_DIRECTORY), None)
        if idx is None:
            continue
        directory, rest = parts[idx], parts[idx + 1 :]
        mtype = in_directory(directory, rest[-1])
        data = path.read_bytes()
        if mtype.bundle:
            # A bundle's files are the same in both formats, and so is the descriptor an
            # ExperienceBundle keeps beside its folder (experiences/X.site-meta.xml).
            if len(rest) > mtype.bundle_depth or (len(rest) == 1 and rest[0].endswith(META)):
                out["/".join([directory, *rest])] = data
        elif mtype.decomposed:
            _collect_decomposed(decomposed, mtype, rest, data)
        elif mtype.name == "StaticResource":
            _collect_resource(resources, rest, data)
        elif mtype.in_folder:
            _convert_folder_item(out, mtype, rest, data, walked)
        else:
            name = rest[-1]
            folder = "/".join([directory, *rest[:-1]]) if mtype.nested else directory
            if mtype.meta_file or not name.endswith(META):
                out[f"{folder}/{name}"] = data  # content files and their -meta.xml keep their names
            else:
                out[f"{folder}/{name[: -len(META)]}"] = data
    for (directory, name), pieces in decomposed.items():
        mtype = BY_DIRECTORY[directory][0]
        out[f"{directory}/{name}.{mtype.suffix}"] = _recompose(mtype, pieces)
    for name, res in resources.items():
        if "meta" in res:
            out[f"staticresources/{name}.resource-meta.xml"] = res["meta"]  # type: ignore[assignment]
            out[f"staticresources/{name}.resource"] = _resource_body(res)
    return out


def _collect_decomposed(acc: dict, mtype: MetaType, rest: list[str], data: bytes) -> None:
    if len(rest) < 2:
        return
    name, fname = rest[0], rest[-1]
    pieces = acc.setdefault((mtype.directory, name), {"parent": [], "children": []})
    if fname == f"{name}.{mtype.suffix}{META}":
        pieces["parent"].append(("", data))
        return
    for child in mtype.children:
        if fname.endswith(f".{child.suffix}{META}"):
            pieces["children"].append((child.tag, data))
            return


def _recompose(mtype: MetaType, pieces: dict[str, list[tuple[str, bytes]]]) -> bytes:
    root = xmlutil.parse(pieces["parent"][0][1]) if pieces["parent"] else xmlutil.md_element(mtype.name)
    for tag, data in pieces["children"]:
        child = xmlutil.parse(data)
        child.tag = f"{{{xmlutil.MD_NS}}}{tag}"
        root.append(child)
    _sort_children(root)
    return xmlutil.to_bytes(root)


def _sort_children(root: etree._Element) -> None:
    # Retrieve output lists elements alphabetically (WSDL sequence order); keep it deterministic.
    items = [c for c in root if isinstance(c.tag, str)]
    items.sort(key=lambda c: (xmlutil.local(c), xmlutil.child_text(c, "fullName") or ""))
    for c in list(root):
        root.remove(c)
    root.extend(items)


def _collect_resource(acc: dict[str, dict[str, object]], rest: list[str], data: bytes) -> None:
    first = rest[0]
    if len(rest) == 1 and first.endswith(f".resource{META}"):
        acc.setdefault(first[: -len(f".resource{META}")], {})["meta"] = data
    elif len(rest) == 1:
        acc.setdefault(first.split(".", 1)[0], {})["body"] = data
    else:  # expanded zip resource folder
        folder = acc.setdefault(first, {}).setdefault("folder", {})
        folder["/".join(rest[1:])] = data  # type: ignore[index]


def _resource_body(res: dict[str, object]) -> bytes:
    if "folder" in res:
        return build_zip(res["folder"])  # type: ignore[arg-type]
    return res.get("body", b"")  # type: ignore[return-value]


def _convert_folder_item(out: dict[str, bytes], mtype: MetaType, rest: list[str], data: bytes,
                         walked: list[tuple[str, Path]]) -> None:
    directory, fname = mtype.directory, rest[-1]
    inner = "/".join(rest[:-1])
    prefix = f"{directory}/{inner}/" if inner else f"{directory}/"
    folder_meta = f".{mtype.folder_suffix}{META}"
    if fname.endswith(folder_meta):
        out[f"{prefix}{fname[: -len(folder_meta)]}{META}"] = data
    elif mtype.name == "Document" and fname.endswith(f".document{META}"):
        stem = fname[: -len(f".document{META}")]
        siblings = [p.name for _, p in walked if p.parent.name == rest[-2] and p.name.startswith(stem + ".")
                    and not p.name.endswith(META)] if len(rest) > 1 else []
        out[f"{prefix}{siblings[0] if siblings else stem}{META}"] = data
    elif mtype.meta_file or not fname.endswith(META):
        out[f"{prefix}{fname}"] = data
    else:
        out[f"{prefix}{fname[: -len(META)]}"] = data


# --------------------------------------------------------------------------------------------
# Grouping mdapi files into components


def classify(path: str, dirs: set[str] | None = None) -> tuple[str, str] | None:
    """(type, full name) of the component an mdapi-relative file belongs to."""
    parts = path.split("/")
    if len(parts) < 2 or parts[0] not in BY_DIRECTORY:
        return None
    candidates = BY_DIRECTORY[parts[0]]
    mtype = candidates[0]
    if mtype.bundle:
        depth = mtype.bundle_depth
        if len(parts) == 2 and mtype.suffix and parts[1].endswith(f".{mtype.suffix}{META}"):
            return mtype.name, parts[1][: -len(f".{mtype.suffix}{META}")]
        return (mtype.name, "/".join(parts[1 : 1 + depth])) if len(parts) >= 2 + depth else None
    if mtype.in_folder:
        return _classify_folder_item(mtype, parts, dirs or set())
    name = parts[-1]
    stem = name[: -len(META)] if name.endswith(META) else name
    for t in candidates:
        if t.suffix and stem.endswith("." + t.suffix):
            return t.name, stem[: -len(t.suffix) - 1]
    return None


def _classify_folder_item(mtype: MetaType, parts: list[str], dirs: set[str]) -> tuple[str, str] | None:
    inner = "/".join(parts[1:])
    is_meta = inner.endswith(META)
    stem = inner[: -len(META)] if is_meta else inner
    assert mtype.folder_type is not None
    if is_meta and (f"{parts[0]}/{stem}" in dirs or (mtype.suffix and not stem.endswith("." + mtype.suffix))
                    or (mtype.suffix is None and "/" not in stem)):
        return mtype.folder_type, stem
    if mtype.suffix:
        return (mtype.name, stem[: -len(mtype.suffix) - 1]) if stem.endswith("." + mtype.suffix) else None
    return mtype.name, stem  # documents keep their extension in the full name


def group(files: dict[str, bytes]) -> list[Component]:
    dirs = {p.rsplit("/", 1)[0] for p in files if "/" in p}
    comps: dict[Key, Component] = {}
    for path in sorted(files):
        found = classify(path, dirs)
        if found is None:
            continue
        comp = comps.setdefault(key(*found), Component(found[0], found[1], {}))
        comp.files[path] = files[path]
    return list(comps.values())


def _add_missing_body(comp: Component) -> None:
    """The corpus keeps descriptors but drops code bodies; a retrieve always carries a body."""
    mtype = lookup(comp.type)
    if mtype is None or not mtype.meta_file or mtype.in_folder and "/" not in comp.full_name:
        return
    if any(not p.endswith(META) for p in comp.files):
        return
    path = next(iter(comp.files))[: -len(META)]
    stub = {"ApexClass": f"public with sharing class {comp.full_name} {{\n}}\n",
            "ApexTrigger": f"trigger {comp.full_name} on Account (before insert) {{\n}}\n"}
    comp.files[path] = stub.get(comp.type, "").encode()


def build_zip(files: dict[str, bytes]) -> bytes:
    """Deterministic zip: sorted entries, fixed timestamps and permissions."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


# --------------------------------------------------------------------------------------------
# The store


class MetadataStore:
    def __init__(self, default_props: Props) -> None:
        self.components: dict[Key, Component] = {}
        self.props: dict[Key, Props] = {}
        self._default = default_props

    @classmethod
    def from_folder(cls, root: Path | None, default_props: Props) -> MetadataStore:
        store = cls(default_props)
        if root is not None:
            for comp in group(read_folder(root)):
                _add_missing_body(comp)
                store.components[key(comp.type, comp.full_name)] = comp
        return store

    def clone(self) -> MetadataStore:
        other = MetadataStore(self._default)
        other.components = {k: Component(c.type, c.full_name, dict(c.files)) for k, c in self.components.items()}
        other.props = dict(self.props)
        return other

    # ---- properties

    def props_of(self, type_name: str, full_name: str) -> Props:
        found = self.props.get(key(type_name, full_name))
        if found:
            return found
        if type_name == "CustomObject" and not is_custom_object_name(full_name):
            # Standard objects come back with an empty id and placeholder dates (observed, §4.3).
            return replace(self._default, id="", created_date=PLACEHOLDER_DATE, last_modified_date=PLACEHOLDER_DATE)
        prefix = _ID_PREFIX.get(type_name.lower(), "0Ms")
        return replace(self._default, id=ids.stable_id(prefix, type_name.lower(), full_name.lower()))

    def touch(self, type_name: str, full_name: str, by_id: str, by_name: str, when: str, created: bool) -> None:
        old = self.props_of(type_name, full_name)
        new = replace(old, last_modified_by_id=by_id, last_modified_by_name=by_name, last_modified_date=when)
        if created:
            new = replace(new, created_by_id=by_id, created_by_name=by_name, created_date=when)
        self.props[key(type_name, full_name)] = new

    # ---- enumeration

    def of_type(self, type_name: str) -> list[Component]:
        t = type_name.lower()
        return sorted((c for (ct, _), c in self.components.items() if ct == t), key=lambda c: c.full_name.lower())

    def get(self, type_name: str, full_name: str) -> Component | None:
        return self.components.get(key(type_name, full_name))

    def main_file(self, comp: Component) -> str:
        mtype = lookup(comp.type)
        if mtype is None or mtype.bundle or comp.type.lower() in FOLDER_TYPES:
            directory = mtype.directory if mtype else comp.type
            return f"{directory}/{comp.full_name}"
        content = [p for p in comp.files if not p.endswith(META)]
        if content:
            return content[0]
        return next(iter(comp.files))[: -len(META)]

    def children(self, parent: Component, child: ChildType) -> list[str]:
        """Full names of one child type inside a parent file (Account.Tier__c)."""
        root = self._xml(parent)
        if root is None:
            return []
        names = []
        for c in xmlutil.children_named(root, child.tag):
            short = xmlutil.child_text(c, "fullName")
            if short:
                names.append(f"{parent.full_name}.{short}" if child.prefixed else short)
        return names

    def _xml(self, comp: Component) -> etree._Element | None:
        data = comp.files.get(self.main_file(comp))
        if data is None:
            return None
        try:
            return xmlutil.parse(data)
        except etree.XMLSyntaxError:
            return None

    def listing(self, type_name: str, folder: str | None = None) -> list[Listed]:
        if type_name.lower() in CHILD_TYPES:
            parent_type, child = CHILD_TYPES[type_name.lower()]
            return [self._listed_child(parent_type, child, p, n)
                    for p in self.of_type(parent_type.name) for n in self.children(p, child)]
        mtype = lookup(type_name)
        if mtype is None:
            raise KeyError(type_name)
        comps = self.of_type(mtype.name)
        if mtype.in_folder:
            folder = folder or "unfiled$public"
            comps = [c for c in comps if c.full_name.rsplit("/", 1)[0].lower() == folder.lower() and "/" in c.full_name]
        return [Listed(c.type, c.full_name, self.main_file(c), self.props_of(c.type, c.full_name)) for c in comps]

    def _listed_child(self, parent_type: MetaType, child: ChildType, parent: Component, name: str) -> Listed:
        return Listed(child.name, name, self.main_file(parent), self.props_of(child.name, name))

    # ---- retrieve

    def select(self, requested: list[tuple[str, list[str]]]) -> tuple[dict[str, bytes], list[Listed], list[str]]:
        """Files, FileProperties and 'cannot be found' problems for package.xml types/members."""
        whole: dict[Key, Component] = {}
        partial: dict[Key, set[tuple[str, str]]] = {}
        listed: dict[Key, Listed] = {}
        problems: list[str] = []
        for type_name, members in requested:
            for member in members:
                self._select_one(type_name, member, whole, partial, listed, problems)
        files: dict[str, bytes] = {}
        for comp in whole.values():
            files.update(comp.files)
        for pkey, wanted in partial.items():
            if pkey not in whole:
                comp = self.components[pkey]
                files[self.main_file(comp)] = self._filtered(comp, wanted)
        return files, sorted(listed.values(), key=lambda x: (x.type, x.full_name)), problems

    def _select_one(self, type_name: str, member: str, whole: dict, partial: dict, listed: dict,
                    problems: list[str]) -> None:
        if type_name.lower() in CHILD_TYPES:
            self._select_child(type_name, member, partial, listed, problems)
            return
        mtype = lookup(type_name) or FOLDER_TYPES.get(type_name.lower())
        if mtype is None:
            problems.append(f"Entity type: '{type_name}' is unknown")
            return
        if member == "*":
            if mtype.in_folder:
                return  # wildcards are not valid for in-folder types (§4.5)
            comps = self.of_type(mtype.name)
            if mtype.name == "CustomObject":
                comps = [c for c in comps if is_custom_object_name(c.full_name)]
        else:
            if mtype.in_folder and member.endswith("/"):
                member = member[:-1]  # the Salesforce CLI names a folder "Folder/" among its items
            found = self.get(mtype.name, member)
            if found is None and mtype.in_folder and mtype.folder_type and "/" not in member:
                found = self.get(mtype.folder_type, member)  # folders are listed under the content type
            if found is None:
                problems.append(f"Entity of type '{type_name}' named '{member}' cannot be found")
                return
            comps = [found]
        for c in comps:
            k = key(c.type, c.full_name)
            whole[k] = c
            listed[k] = Listed(c.type, c.full_name, self.main_file(c), self.props_of(c.type, c.full_name))

    def _select_child(self, type_name: str, member: str, partial: dict, listed: dict, problems: list[str]) -> None:
        parent_type, child = CHILD_TYPES[type_name.lower()]
        parents = self.of_type(parent_type.name)
        if member != "*" and child.prefixed:
            parents = [p for p in parents if p.full_name.lower() == member.split(".", 1)[0].lower()]
        elif member == "*" and parent_type.name == "CustomObject":
            parents = [p for p in parents if is_custom_object_name(p.full_name)]
        hit = False
        for p in parents:
            for name in self.children(p, child):
                if member == "*" or name.lower() == member.lower():
                    hit = True
                    short = name.split(".", 1)[1] if child.prefixed else name
                    partial.setdefault(key(p.type, p.full_name), set()).add((child.tag, short.lower()))
                    listed[key(child.name, name)] = self._listed_child(parent_type, child, p, name)
        if not hit and member != "*":
            problems.append(f"Entity of type '{type_name}' named '{member}' cannot be found")

    def _filtered(self, comp: Component, wanted: set[tuple[str, str]]) -> bytes:
        root = self._xml(comp)
        assert root is not None
        for c in list(root):
            if (xmlutil.local(c), (xmlutil.child_text(c, "fullName") or "").lower()) not in wanted:
                root.remove(c)
        return xmlutil.to_bytes(root)

    def files_for_paths(self, paths: list[str]) -> list[Component]:
        """specificFiles: the components owning those mdapi paths."""
        wanted = {p.removeprefix("unpackaged/") for p in paths}
        return [c for c in self.components.values() if wanted & set(c.files) or self.main_file(c) in wanted]

    def read_xml(self, type_name: str, full_name: str) -> etree._Element | None:
        """The XML of one component (or child element) for readMetadata."""
        if type_name.lower() in CHILD_TYPES:
            parent_type, child = CHILD_TYPES[type_name.lower()]
            pname, _, short = full_name.partition(".") if child.prefixed else ("", "", full_name)
            for parent in self.of_type(parent_type.name):
                if child.prefixed and parent.full_name.lower() != pname.lower():
                    continue
                root = self._xml(parent)
                for c in xmlutil.children_named(root, child.tag) if root is not None else []:
                    if (xmlutil.child_text(c, "fullName") or "").lower() == short.lower():
                        return copy.deepcopy(c)
            return None
        comp = self.get(type_name, full_name)
        if comp is None:
            return None
        meta = next((p for p in comp.files if p.endswith(META)), None)
        data = comp.files.get(self.main_file(comp)) if not meta else comp.files[meta]
        return xmlutil.parse(data) if data else None

    # ---- changes between syncs

    def put(self, type_name: str, full_name: str, content: str | bytes | dict[str, str | bytes]) -> bool:
        """Add or replace a component (or a child element inside its parent). True if it is new."""
        if type_name.lower() in CHILD_TYPES:
            return self._put_child(type_name, full_name, content)
        # A folder type (ReportFolder) is put with its content type's layout (reports/Sales-meta.xml).
        mtype = FOLDER_TYPES.get(type_name.lower()) or lookup(type_name)
        if mtype is None:
            raise KeyError(f"unknown metadata type {type_name}")
        canonical = mtype.folder_type if type_name.lower() in FOLDER_TYPES else mtype.name
        assert canonical is not None
        files = _files_for(mtype, canonical, full_name, content)
        k = key(canonical, full_name)
        is_new = k not in self.components
        self.components[k] = Component(canonical, full_name, files)
        return is_new

    def _put_child(self, type_name: str, full_name: str, content: str | bytes | dict[str, str | bytes]) -> bool:
        parent_type, child = CHILD_TYPES[type_name.lower()]
        if isinstance(content, dict):
            raise TypeError("child components take one XML document")
        pname, short = full_name.split(".", 1) if child.prefixed else (parent_type.name, full_name)
        if not child.prefixed:
            pname = "CustomLabels" if parent_type.name == "CustomLabels" else pname
        parent = self.get(parent_type.name, pname)
        if parent is None:
            root = xmlutil.md_element(parent_type.name)
            self.put(parent_type.name, pname, xmlutil.to_bytes(root))
            parent = self.get(parent_type.name, pname)
            assert parent is not None
        root = self._xml(parent)
        assert root is not None
        element = xmlutil.parse(content.encode() if isinstance(content, str) else content)
        element.tag = f"{{{xmlutil.MD_NS}}}{child.tag}"
        name_el = next((c for c in element if xmlutil.local(c) == "fullName"), None)
        if name_el is None:
            name_el = etree.SubElement(element, f"{{{xmlutil.MD_NS}}}fullName")
            element.insert(0, name_el)
        name_el.text = short
        is_new = True
        for c in xmlutil.children_named(root, child.tag):
            if (xmlutil.child_text(c, "fullName") or "").lower() == short.lower():
                root.remove(c)
                is_new = False
        root.append(element)
        _sort_children(root)
        parent.files[self.main_file(parent)] = xmlutil.to_bytes(root)
        return is_new

    def remove(self, type_name: str, full_name: str) -> None:
        if type_name.lower() in CHILD_TYPES:
            parent_type, child = CHILD_TYPES[type_name.lower()]
            pname, short = full_name.split(".", 1) if child.prefixed else (parent_type.name, full_name)
            parent = self.get(parent_type.name, pname)
            root = self._xml(parent) if parent else None
            found = [c for c in xmlutil.children_named(root, child.tag)
                     if (xmlutil.child_text(c, "fullName") or "").lower() == short.lower()] if root is not None else []
            if parent is None or root is None or not found:
                raise KeyError(f"{type_name} {full_name} not found")
            for c in found:
                root.remove(c)
            parent.files[self.main_file(parent)] = xmlutil.to_bytes(root)
        else:
            mtype = lookup(type_name)
            canonical = mtype.name if mtype else type_name
            if self.components.pop(key(canonical, full_name), None) is None:
                raise KeyError(f"{type_name} {full_name} not found")
        self.props.pop(key(type_name, full_name), None)

    def exists(self, type_name: str, full_name: str) -> bool:
        if type_name.lower() in CHILD_TYPES:
            return self.read_xml(type_name, full_name) is not None
        mtype = lookup(type_name) or FOLDER_TYPES.get(type_name.lower())
        return mtype is not None and self.get(mtype.name if mtype.name.lower() == type_name.lower() else type_name,
                                              full_name) is not None


def _files_for(mtype: MetaType, canonical: str, full_name: str,
               content: str | bytes | dict[str, str | bytes]) -> dict[str, bytes]:
    """Turn add_component input into mdapi files: a dict of paths, or one XML/body document."""
    directory = mtype.directory
    if isinstance(content, dict):
        out = {}
        for name, data in content.items():
            path = name if "/" in name and name.split("/", 1)[0] == directory else (
                f"{directory}/{full_name}/{name}" if mtype.bundle else f"{directory}/{name}")
            out[path] = data.encode() if isinstance(data, str) else data
        return out
    data = content.encode() if isinstance(content, str) else content
    if canonical.lower() in FOLDER_TYPES:
        return {f"{directory}/{full_name}{META}": data}
    if mtype.bundle:
        raise TypeError("bundles take a dict of file names")
    base = f"{directory}/{full_name}" + (f".{mtype.suffix}" if mtype.suffix else "")
    if mtype.meta_file:
        meta = (f'<?xml version="1.0" encoding="UTF-8"?>\n<{canonical} xmlns="{xmlutil.MD_NS}">\n'
                f"    <apiVersion>62.0</apiVersion>\n    <status>Active</status>\n</{canonical}>\n")
        return {base: data, base + META: meta.encode()}
    return {base: data}
