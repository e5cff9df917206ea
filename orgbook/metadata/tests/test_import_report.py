"""Issue 14: every file of a project ends as a component's source or in the report with its reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from orgbook.metadata import ParsedComponent, ReadReport, iter_components
from tests.corpus import PROJECTS

CLASS_META = (b'<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">'
              b"<apiVersion>62.0</apiVersion><status>Active</status></ApexClass>\n")
SNAPSHOT = (b'<?xml version="1.0" encoding="UTF-8"?>\n<AnalyticSnapshot xmlns="http://soap.sforce.com/2006/04/metadata">'
            b"<name>Weekly</name><sourceReport>Pipeline/Open</sourceReport><targetObject>Snap__c</targetObject>"
            b"</AnalyticSnapshot>\n")
PROJECT = b'{"packageDirectories": [{"path": "force-app", "default": true}], "sourceApiVersion": "62.0"}'


def read(root: Path) -> tuple[list[ParsedComponent], ReadReport]:
    stream = iter_components(root, on_problem=lambda problem: None)
    components = list(stream)
    return components, stream.report


def files_under(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_every_file_of_every_corpus_project_is_a_source_or_reported_with_a_reason(name: str) -> None:
    root = PROJECTS[name]
    components, report = read(root)
    sources = {c.file_path for c in components if not c.synthetic}
    skipped = dict(report.skipped)
    assert sources | set(report.parts) | set(skipped) == files_under(root)
    assert not sources & set(skipped) and not set(report.parts) & set(skipped)
    assert set(report.parts.values()) <= sources  # a part belongs to a component that was read
    assert all(reason.strip() for reason in skipped.values())
    assert report.files == len(files_under(root))


def _project(tmp_path: Path) -> Path:
    root = tmp_path / "p"
    (root / "force-app" / "main" / "default").mkdir(parents=True)
    (root / "sfdx-project.json").write_bytes(PROJECT)
    return root


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / "force-app" / "main" / "default" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


@pytest.mark.parametrize("folder", ["email", "reports", "objects", "user"])
def test_a_class_in_a_sub_folder_of_classes_named_like_a_type_folder_is_an_apex_class(tmp_path: Path, folder: str) -> None:
    root = _project(tmp_path)
    _write(root, f"classes/{folder}/Mailer.cls", b"public class Mailer {}")
    _write(root, f"classes/{folder}/Mailer.cls-meta.xml", CLASS_META)
    components, report = read(root)
    assert [(c.type, c.full_name) for c in components] == [("ApexClass", "Mailer")]
    assert report.parts == {f"force-app/main/default/classes/{folder}/Mailer.cls":
                            f"force-app/main/default/classes/{folder}/Mailer.cls-meta.xml"}


def test_a_metadata_api_file_with_its_own_suffix_in_an_unknown_folder_is_read(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _write(root, "analyticSnapshots/Weekly.snapshot", SNAPSHOT)
    components, report = read(root)
    assert [(c.type, c.full_name, c.attributes["targetObject"]) for c in components] == [
        ("AnalyticSnapshot", "Weekly", "Snap__c")]


def test_a_stray_file_and_a_project_file_are_reported_with_their_reasons(tmp_path: Path) -> None:
    root = _project(tmp_path)
    _write(root, "classes/Mailer.cls-meta.xml", CLASS_META)
    _write(root, "classes/README.md", b"# notes")
    _write(root, "notes.txt", b"notes")
    (root / "README.md").write_text("# project")
    (root / ".forceignore").write_text("**/jsconfig.json\n")
    components, report = read(root)
    assert [c.full_name for c in components] == ["Mailer"]
    assert dict(report.skipped) == {
        "force-app/main/default/classes/README.md": "not a ApexClass file, although it is in a classes/ folder",
        "force-app/main/default/notes.txt": "not a metadata file: no metadata type folder or file suffix matches it",
        "README.md": "outside the package directories sfdx-project.json lists (only those are read)",
        ".forceignore": "project file: .forceignore governs deployments; every file in a package directory is read",
        "sfdx-project.json": "project file: its namespace, package directories and API version are the model's "
                             "project facts",
    }


def test_the_project_facts_of_sfdx_project_json_are_in_the_report() -> None:
    _, report = read(PROJECTS["salesforce-misc__Data360AgentforceSolutionKitRetail"])
    project = report.project
    assert (project["name"], project.get("namespace"), project["sourceApiVersion"]) == ("DIYRetail", None, "65.0")
    assert [(d["path"], d["default"]) for d in project["packageDirectories"]] == [
        ("diy-base", True), ("diy-pd-pack", False), ("diy-datacloud", False), ("diy-embeddedservice", False),
        ("diy-pd-experience-optional", False)]


def test_package_versions_and_dependencies_are_project_facts() -> None:
    root = PROJECTS["alexed1__LightningFlowComponents"] / "flow_apps" / "FlowUtilities"
    _, report = read(root)
    first = report.project["packageDirectories"][0]
    assert (first["path"], first["package"], first["versionName"], first["versionNumber"]) == (
        "force-app", "FlowOneView", "ver 0.1", "0.1.0.NEXT")
    packages = [d["package"] for d in first["dependencies"]]
    assert {"FlowScreenComponentsBasePack@3.1.0-0", "datatable@4.1.0-0"} <= set(packages) and len(packages) == 7


def test_a_zip_is_accounted_for_like_its_folder(tmp_path: Path) -> None:
    import zipfile

    root = PROJECTS["salesforce-misc__DataCloudAndAgentForceForAutomotive"]
    archive = tmp_path / "automotive.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, "repo-main/" + path.relative_to(root).as_posix())
    zipped, zip_report = read(archive)
    folder, folder_report = read(root)
    assert sorted(c.file_path.removeprefix("repo-main/") for c in zipped) == sorted(c.file_path for c in folder)
    assert {p.removeprefix("repo-main/"): r for p, r in zip_report.skipped} == dict(folder_report.skipped)
    assert len(zip_report.parts) == len(folder_report.parts) == 153


def test_a_file_the_source_refuses_is_in_the_report(tmp_path: Path) -> None:
    import os

    root = _project(tmp_path)
    _write(root, "classes/Mailer.cls-meta.xml", CLASS_META)
    os.mkfifo(root / "force-app" / "main" / "default" / "classes" / "Pipe.cls-meta.xml")
    _, report = read(root)
    reasons = dict(report.skipped)
    assert reasons["force-app/main/default/classes/Pipe.cls-meta.xml"].startswith("refused: ")


def test_two_bots_with_a_v1_each_are_two_bot_versions_in_both_formats(tmp_path: Path) -> None:
    version = (b'<?xml version="1.0" encoding="UTF-8"?>\n<BotVersion xmlns="http://soap.sforce.com/2006/04/metadata">'
               b"<fullName>v1</fullName><entryDialog>Welcome</entryDialog></BotVersion>\n")
    bot = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Bot xmlns="http://soap.sforce.com/2006/04/metadata">'
           b"<label>A</label></Bot>\n")
    root = _project(tmp_path)
    for name in ("Alpha", "Beta"):
        _write(root, f"bots/{name}/{name}.bot-meta.xml", bot)
        _write(root, f"bots/{name}/v1.botVersion-meta.xml", version)
    source = [(c.type, c.full_name, c.parent_name) for c in read(root)[0]]
    mdapi = tmp_path / "mdapi"
    (mdapi / "bots").mkdir(parents=True)
    (mdapi / "package.xml").write_text('<Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>62.0</version></Package>')
    for name in ("Alpha", "Beta"):
        (mdapi / "bots" / f"{name}.bot").write_bytes(bot.replace(b"</Bot>", b"<botVersions><fullName>v1</fullName>"
                                                                  b"<entryDialog>Welcome</entryDialog></botVersions></Bot>"))
    retrieved = [(c.type, c.full_name, c.parent_name) for c in read(mdapi)[0]]
    expected = {("Bot", "Alpha", None), ("Bot", "Beta", None), ("BotVersion", "Alpha.v1", "Alpha"),
                ("BotVersion", "Beta.v1", "Beta")}
    assert set(source) == set(retrieved) == expected


def test_package_dirs_of_one_length_are_read_in_the_order_sfdx_project_json_lists_them(tmp_path: Path) -> None:
    """Which copy of a component the model holds must not depend on the interpreter's hash seed."""
    root = tmp_path / "p"
    names = ["zz", "mm", "aa", "qq", "bb"]
    root.mkdir()
    (root / "sfdx-project.json").write_text(
        '{"packageDirectories": [' + ", ".join(f'{{"path": "{n}"}}' for n in names) + "]}")
    for name in names:
        (root / name / "classes").mkdir(parents=True)
        (root / name / "classes" / "Mailer.cls-meta.xml").write_bytes(CLASS_META)
    components, _ = read(root)
    assert [c.package_dir for c in components] == names
