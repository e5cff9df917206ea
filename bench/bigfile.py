"""Peak memory of `orgbook import` on one very large file (issue 19, item 8): a zip holding a Metadata
API object with N fields (260,000 give about 60 MB), or a profile with N field permissions (400,000
give about 66 MB), imported by the CLI into a fresh data directory, measured with /usr/bin/time -v.

    .venv/bin/python bench/bigfile.py object [--fields 260000] [--db sqlite|postgres] [--folder] [--keep]
    .venv/bin/python bench/bigfile.py profile [--fields 400000] [--db sqlite|postgres] [--folder] [--keep]

Prints one JSON line: the file's size, the zip's size, the import's wall and CPU time, peak resident size
(`Maximum resident set size` of the `orgbook import` process, Django and the database connection
included), and what the import printed. The files are generated (seeded by their index only, so the
same arguments give the same bytes) into a temporary folder, never committed, removed unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
NS = b'xmlns="http://soap.sforce.com/2006/04/metadata"'
PACKAGE = (b'<?xml version="1.0" encoding="UTF-8"?>\n<Package ' + NS + b'>\n'
           b"    <types><members>*</members><name>CustomObject</name></types>\n"
           b"    <types><members>*</members><name>Profile</name></types>\n"
           b"    <version>62.0</version>\n</Package>\n")

OBJECT_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject ' + NS + b'>\n'
               b"    <deploymentStatus>Deployed</deploymentStatus>\n    <label>Big</label>\n"
               b"    <nameField>\n        <label>Big Name</label>\n        <type>Text</type>\n    </nameField>\n"
               b"    <pluralLabel>Bigs</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n")
# Five kinds of field in turn, about 230 bytes each: a real wide object's mix of text, numbers,
# checkboxes, lookups and formulas (the formulas and lookups give the import dependencies to find).
FIELDS = (
    b"    <fields>\n        <fullName>F%06d__c</fullName>\n"
    b"        <label>Text %06d</label>\n        <length>255</length>\n        <required>false</required>\n"
    b"        <type>Text</type>\n    </fields>\n",
    b"    <fields>\n        <fullName>F%06d__c</fullName>\n"
    b"        <label>Number %06d</label>\n        <precision>18</precision>\n        <scale>2</scale>\n"
    b"        <type>Number</type>\n    </fields>\n",
    b"    <fields>\n        <fullName>F%06d__c</fullName>\n        <defaultValue>false</defaultValue>\n"
    b"        <externalId>false</externalId>\n        <label>Flag %06d</label>\n"
    b"        <trackTrending>false</trackTrending>\n        <type>Checkbox</type>\n    </fields>\n",
    b"    <fields>\n        <fullName>F%06d__c</fullName>\n        <deleteConstraint>SetNull</deleteConstraint>\n"
    b"        <label>Account %06d</label>\n        <referenceTo>Account</referenceTo>\n"
    b"        <relationshipName>Bigs%06d</relationshipName>\n        <type>Lookup</type>\n    </fields>\n",
    b"    <fields>\n        <fullName>F%06d__c</fullName>\n        <formula>F%06d__c * 2</formula>\n"
    b"        <label>Double %06d</label>\n        <precision>18</precision>\n        <scale>2</scale>\n"
    b"        <type>Number</type>\n    </fields>\n",
)
OBJECT_TAIL = (b"    <validationRules>\n        <fullName>Positive</fullName>\n        <active>true</active>\n"
               b"        <errorConditionFormula>F000001__c &lt; 0</errorConditionFormula>\n"
               b"        <errorMessage>Must be positive</errorMessage>\n    </validationRules>\n"
               b"    <visibility>Public</visibility>\n</CustomObject>\n")

PROFILE_HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<Profile ' + NS + b'>\n'
PERMISSION = (b"    <fieldPermissions>\n        <editable>%s</editable>\n"
              b"        <field>Object%04d__c.Field%06d__c</field>\n        <readable>true</readable>\n"
              b"    </fieldPermissions>\n")
PROFILE_TAIL = (b"    <classAccesses>\n        <apexClass>BigController</apexClass>\n        <enabled>true</enabled>\n"
                b"    </classAccesses>\n    <custom>true</custom>\n    <userLicense>Salesforce</userLicense>\n</Profile>\n")


def write_object(path: Path, fields: int) -> None:
    with path.open("wb") as fh:
        fh.write(OBJECT_HEAD)
        for i in range(fields):
            kind = i % 5
            if kind == 3:
                fh.write(FIELDS[3] % (i, i, i))
            elif kind == 4:
                fh.write(FIELDS[4] % (i, i - 3, i))
            else:
                fh.write(FIELDS[kind] % (i, i))
        fh.write(OBJECT_TAIL)


def write_profile(path: Path, fields: int) -> None:
    with path.open("wb") as fh:
        fh.write(PROFILE_HEAD)
        for i in range(fields):
            fh.write(PERMISSION % (b"true" if i % 2 else b"false", i // 1000, i))
        fh.write(PROFILE_TAIL)


def build(folder: Path, kind: str, fields: int) -> Path:
    """The Metadata API folder: package.xml and the one large file."""
    src = folder / "src"
    if kind == "object":
        big = src / "objects" / "Big__c.object"
        big.parent.mkdir(parents=True)
        write_object(big, fields)
    else:
        big = src / "profiles" / "Big.profile"
        big.parent.mkdir(parents=True)
        write_profile(big, fields)
    (src / "package.xml").write_bytes(PACKAGE)
    return big


def zip_folder(src: Path, path: Path) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(p for p in src.rglob("*") if p.is_file()):
            zf.write(file, file.relative_to(src).as_posix())
    return path


SETUP = """
import django, sys
django.setup()
from django.contrib.auth import get_user_model
from django.core.management import call_command
from orgbook.implementations import lifecycle
call_command("migrate", verbosity=0)
user = get_user_model().objects.create_user(username="bench@example.com", email="bench@example.com")
space = lifecycle.create_space("Bench", user, plan="paid", licences=2)
lifecycle.create_implementation(space, user, "Enterprise")
print(space.slug)
"""


def _env(data_dir: str, db: str, name: str) -> dict[str, str]:
    env = {**os.environ, "ORGBOOK_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "orgbook.settings",
           "ORGBOOK_LOG_LEVEL": "WARNING"}
    env["DATABASE_URL"] = f"{PG_SERVER}/{name}" if db == "postgres" else f"sqlite:///{data_dir}/orgbook.sqlite3"
    return env


def _admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  # a name we made, not user input


def measure(target: Path, env: dict[str, str]) -> dict[str, object]:
    slug = subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=ROOT, check=True, capture_output=True,
                          text=True).stdout.strip().splitlines()[-1]
    cmd = ["/usr/bin/time", "-v", str(BIN / "orgbook"), "import", str(target), "--space", slug,
           "--implementation", "Enterprise", "--model", "Big", "--json"]
    t0 = time.perf_counter()
    out = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t0
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([\d.]+)", out.stderr))
    printed = out.stdout.strip().splitlines()
    return {"exit": out.returncode, "seconds": round(seconds, 1), "cpu_s": round(cpu, 1),
            "peak_rss_mb": round(int(peak.group(1)) / 1024) if peak else None,
            "printed": json.loads(printed[-1]) if printed and printed[-1].startswith("{") else printed[-1:],
            "stderr_tail": [line for line in out.stderr.splitlines() if "\t" not in line][-3:]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kind", choices=["object", "profile"])
    parser.add_argument("--fields", type=int, default=None, help="fields (object) or field permissions (profile)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--folder", action="store_true", help="import the folder instead of a zip of it")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    fields = args.fields or (260_000 if args.kind == "object" else 400_000)
    work = Path(tempfile.mkdtemp(prefix="orgbook-bigfile-"))
    name = f"orgbook_bigfile_{os.getpid()}"
    try:
        big = build(work, args.kind, fields)
        target = work / "src" if args.folder else zip_folder(work / "src", work / "big.zip")
        data_dir = work / "data"
        data_dir.mkdir(mode=0o700)
        if args.db == "postgres":
            _admin(f'CREATE DATABASE "{name}"')
        result: dict[str, object] = {"kind": args.kind, "fields": fields, "db": args.db,
                                     "file_mb": round(big.stat().st_size / 1e6, 1),
                                     "zip_mb": None if args.folder else round(target.stat().st_size / 1e6, 1)}
        result.update(measure(target, _env(str(data_dir), args.db, name)))
        print(json.dumps(result))
    finally:
        if args.db == "postgres" and not args.keep:
            _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
