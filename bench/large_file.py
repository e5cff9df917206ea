"""Peak memory of reading one large, well-formed file (issue 19, item 13): a profile with N
field permissions, read by `iter_components` in a fresh process, as an import reads it.

    .venv/bin/python bench/large_file.py [--fields 300000] [--keep]

Prints one JSON line: the file's size, the peak resident size of the reading process, whether
the file was read or refused (and why). The file is written to a temporary folder (never
committed) and removed unless --keep.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HEAD = b'<?xml version="1.0" encoding="UTF-8"?>\n<Profile xmlns="http://soap.sforce.com/2006/04/metadata">\n'
FIELD = (b"    <fieldPermissions>\n        <editable>true</editable>\n"
         b"        <field>Object%04d__c.Field%06d__c</field>\n        <readable>true</readable>\n"
         b"    </fieldPermissions>\n")
TAIL = b"    <custom>true</custom>\n    <userLicense>Salesforce</userLicense>\n</Profile>\n"


def write_profile(folder: Path, fields: int) -> Path:
    path = folder / "profiles" / "Big.profile"
    path.parent.mkdir(parents=True)
    (folder / "package.xml").write_bytes(
        b'<?xml version="1.0"?><Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>60.0</version></Package>')
    with path.open("wb") as fh:
        fh.write(HEAD)
        for i in range(fields):
            fh.write(FIELD % (i // 1000, i))
        fh.write(TAIL)
    return path


def read_in_child(folder: Path) -> dict[str, object]:
    """Read in a fresh interpreter, so the peak belongs to the reading alone."""
    code = (
        "import json, resource, sys\n"
        "from orgbook.metadata import iter_components\n"
        "problems = []\n"
        "found = [(c.type, c.error) for c in iter_components(sys.argv[1], on_problem=problems.append)]\n"
        "print(json.dumps({'components': len(found), 'problems': [p.message for p in problems],\n"
        "                  'peak_rss_mb': round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code, str(folder)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fields", type=int, default=300_000)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="orgbook-large-"))
    try:
        path = write_profile(folder, args.fields)
        result = {"fields": args.fields, "file_mb": round(path.stat().st_size / 1e6, 1), **read_in_child(folder)}
        base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        result["bench_process_rss_mb"] = round(base / 1024)
        print(json.dumps(result))
    finally:
        if args.keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main()
