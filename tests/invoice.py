"""Invoice__c, the small custom object the import tests write (Metadata API or source format)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types><members>*</members><name>CustomObject</name></types>
    <version>62.0</version>
</Package>
"""


def invoice(fields: str = "") -> str:
    """Invoice__c's object file with `fields` (XML, each line indented) before its end."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n'
            "    <label>Invoice</label>\n"
            "    <pluralLabel>Invoices</pluralLabel>\n"
            "    <sharingModel>ReadWrite</sharingModel>\n"
            "    <nameField><label>Invoice Number</label><type>AutoNumber</type></nameField>\n"
            f"{fields}</CustomObject>\n")


def write_mdapi(root: Path, object_xml: str) -> Path:
    """A Metadata API folder at `root`: package.xml and objects/Invoice__c.object holding `object_xml`."""
    (root / "objects").mkdir(parents=True, exist_ok=True)
    (root / "package.xml").write_text(PACKAGE)
    (root / "objects" / "Invoice__c.object").write_text(object_xml)
    return root
