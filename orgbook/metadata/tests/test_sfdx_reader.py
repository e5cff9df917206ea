"""Source format: decomposed objects, sidecars, bundles, folders, names, namespaces, hashing."""

from __future__ import annotations

import json

import pytest

from orgbook.metadata import SourceFormat, detect_format, iter_components, open_source
from orgbook.metadata.names import decode_file_name, namespace_of, strip_namespace

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
FIELD = f'<?xml version="1.0"?><CustomField {NS}><fullName>Tier__c</fullName><label>Tier</label><type>Text</type><length>40</length></CustomField>'
OBJECT = f'<?xml version="1.0"?><CustomObject {NS}><label>Acct</label><sharingModel>ReadWrite</sharingModel></CustomObject>'
MDAPI_OBJECT = (
    f'<?xml version="1.0"?><CustomObject {NS}>\n  <fields>\n    <fullName>Tier__c</fullName>\n    <label>Tier</label>\n'
    "    <type>Text</type>\n    <length>40</length>\n  </fields>\n  <label>Acct</label>\n  <sharingModel>ReadWrite</sharingModel>\n</CustomObject>"
)


def write(root, rel: str, text: str | bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode() if isinstance(text, str) else text)


@pytest.fixture
def project(tmp_path):
    write(tmp_path, "sfdx-project.json", json.dumps({"packageDirectories": [{"path": "force-app"}], "namespace": "", "sourceApiVersion": "60.0"}))
    d = "force-app/main/default"
    write(tmp_path, f"{d}/objects/Acct__c/Acct__c.object-meta.xml", OBJECT)
    write(tmp_path, f"{d}/objects/Acct__c/fields/Tier__c.field-meta.xml", FIELD)
    write(tmp_path, f"{d}/objects/Account/fields/Tier__c.field-meta.xml", FIELD)
    write(tmp_path, f"{d}/classes/Foo.cls", "public class Foo { }")
    write(tmp_path, f"{d}/classes/Foo.cls-meta.xml", f"<ApexClass {NS}><apiVersion>60.0</apiVersion><status>Active</status></ApexClass>")
    write(tmp_path, f"{d}/lwc/myCmp/myCmp.js", "export default class X {}")
    write(tmp_path, f"{d}/lwc/myCmp/myCmp.html", "<template></template>")
    write(tmp_path, f"{d}/lwc/myCmp/myCmp.js-meta.xml", f"<LightningComponentBundle {NS}><apiVersion>60.0</apiVersion><isExposed>true</isExposed></LightningComponentBundle>")
    write(tmp_path, f"{d}/reports/Sales.reportFolder-meta.xml", f"<ReportFolder {NS}><name>Sales</name></ReportFolder>")
    write(tmp_path, f"{d}/reports/Sales/Pipeline.report-meta.xml", f"<Report {NS}><name>Pipeline</name></Report>")
    write(tmp_path, f"{d}/staticresources/lib.resource-meta.xml", f"<StaticResource {NS}><contentType>application/zip</contentType></StaticResource>")
    write(tmp_path, f"{d}/staticresources/lib/inner/x.object-meta.xml", OBJECT)
    write(tmp_path, f"{d}/layouts/Acct__c-Acct %28Main%29 Layout.layout-meta.xml", f"<Layout {NS}/>")
    write(tmp_path, f"{d}/customMetadata/Country.US.md-meta.xml", f"<CustomMetadata {NS}><label>US</label></CustomMetadata>")
    write(tmp_path, f"{d}/widgets/Thing.widget-meta.xml", f"<FancyWidget {NS}><label>W</label></FancyWidget>")
    return tmp_path


def by_key(root):
    return {(c.type, c.full_name): c for c in iter_components(root)}


def test_detects_sfdx(project) -> None:
    with open_source(project) as src:
        assert detect_format(src).format is SourceFormat.SFDX


def test_decomposed_object_and_fields(project) -> None:
    comps = by_key(project)
    field = comps[("CustomField", "Acct__c.Tier__c")]
    assert (field.parent_type, field.parent_name, field.format) == ("CustomObject", "Acct__c", "sfdx")
    assert comps[("CustomObject", "Acct__c")].attributes["sharingModel"] == "ReadWrite"


def test_standard_object_with_only_fields_is_still_emitted(project) -> None:
    account = by_key(project)[("CustomObject", "Account")]
    assert account.synthetic and account.definition == b""
    assert ("CustomField", "Account.Tier__c") in by_key(project)


def test_content_sidecar_and_bundle_bodies(project) -> None:
    comps = by_key(project)
    assert comps[("ApexClass", "Foo")].body == b"public class Foo { }"
    lwc = comps[("LightningComponentBundle", "myCmp")]
    assert lwc.body == b"export default class X {}" and lwc.attributes["isExposed"] is True


def test_folders_and_expanded_static_resources(project) -> None:
    comps = by_key(project)
    assert ("ReportFolder", "Sales") in comps and ("Report", "Sales/Pipeline") in comps
    assert ("StaticResource", "lib") in comps
    assert not [k for k in comps if k[1] == "x"]  # files inside the resource folder are content


def test_file_names_are_decoded_and_cmdt_named(project) -> None:
    comps = by_key(project)
    assert ("Layout", "Acct__c-Acct (Main) Layout") in comps
    assert ("CustomMetadata", "Country.US") in comps


def test_unknown_types_are_kept_generic(project) -> None:
    widget = by_key(project)[("FancyWidget", "Thing")]
    assert widget.label == "W"


def test_sfdx_and_mdapi_hash_the_same(project, tmp_path_factory) -> None:
    mdapi = tmp_path_factory.mktemp("mdapi")
    write(mdapi, "package.xml", f"<Package {NS}><version>60.0</version></Package>")
    write(mdapi, "objects/Acct__c.object", MDAPI_OBJECT)
    m = by_key(mdapi)
    s = by_key(project)
    assert m[("CustomField", "Acct__c.Tier__c")].content_hash == s[("CustomField", "Acct__c.Tier__c")].content_hash
    assert m[("CustomObject", "Acct__c")].content_hash == s[("CustomObject", "Acct__c")].content_hash
    assert m[("CustomField", "Acct__c.Tier__c")].format == "mdapi"


@pytest.mark.parametrize(
    ("name", "ns"),
    [("Object__c", None), ("ns__Object__c", "ns"), ("ns__Obj__c.ns__Field__c", "ns"), ("Account", None), ("Location__Latitude__s", None),
     ("usf3__GetFieldInformation", "usf3"), ("___NAMESPACE___Foo__c", None), ("%%%NAMESPACE%%%Foo__c", None), ("ns__Obj__c-Layout", "ns"), ("Type__mdt", None)],
)
def test_namespace_of(name: str, ns: str | None) -> None:
    assert namespace_of(name) == ns


def test_strip_namespace_and_decode() -> None:
    assert strip_namespace("usf3__GetFieldInformation") == "GetFieldInformation"
    assert strip_namespace("Object__c") == "Object__c"
    assert decode_file_name("Custom%3A Sales Profile") == "Custom: Sales Profile"
    assert decode_file_name("My%2EName") == "My.Name"


def test_namespace_tokens_resolved_on_request(tmp_path) -> None:
    write(tmp_path, "package.xml", f"<Package {NS}/>")
    write(tmp_path, "objects/___NAMESPACE___Svc__c.object", MDAPI_OBJECT.replace("<label>Acct", "<label>%%%NAMESPACE%%%Acct"))
    kept = {c.full_name for c in iter_components(tmp_path)}
    assert "___NAMESPACE___Svc__c.Tier__c" in kept
    resolved = {c.full_name: c for c in iter_components(tmp_path, namespace_prefix="pmdm__")}
    assert resolved["pmdm__Svc__c"].label == "pmdm__Acct" and resolved["pmdm__Svc__c"].namespace == "pmdm"


def test_zip_of_sfdx_project(project, tmp_path_factory) -> None:
    import shutil

    out = tmp_path_factory.mktemp("z") / "proj"
    archive = shutil.make_archive(str(out), "zip", project.parent, project.name)
    assert ("CustomField", "Acct__c.Tier__c") in by_key(archive)
