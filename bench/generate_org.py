"""Write a synthetic enterprise org in Metadata API format, deterministically, sized by component count.

    python bench/generate_org.py --components 100000            # -> bench/out/org-100000-s1-g2/
    python bench/generate_org.py --components 100000 --mutate 1 # -> bench/out/org-100000-s1-g2-mut1/

Per object the mix is: 80 custom fields (text, numbers, currency, dates, picklists, lookups,
formulas reading other fields and `X__r.Name` across lookups), 1 validation rule, 3 layouts,
5 Apex classes (with bodies: SOQL on the object's fields, calls to other classes), 1.5 flows
(record-triggered, with lookups and updates), 10 reports (10 per folder); plus 0.3 profiles per
object with object, field, class and layout permissions. So 100,000 components is about 980
objects, 78,500 fields, 2,950 layouts, 4,900 classes, 1,470 flows, 294 profiles and 9,800 reports.
The first five objects are standard objects (Account, Contact, ...) carrying custom fields.
One field is heavily used, as a real org's key field is: Account.Segment__c is read by a text
formula on every third object (through a lookup to Account), by every tenth Apex class (SOQL), every
fifth flow (a record lookup on Account), Account's layouts and every profile: about 1,400 direct
users, for where-used and impact figures.

`--mutate PCT` copies a generated folder (hard links) and rewrites the files of about PCT% of its
components with a changed description, label or code line: the input for re-sync figures. The
original folder is never modified (files are replaced, not written through their links).
Everything is seeded: the same arguments give byte-identical folders.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

OUT = Path(__file__).resolve().parent / "out"
NS = "http://soap.sforce.com/2006/04/metadata"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
API = "62.0"
PER_OBJECT = 1 + 80 + 1 + 3 + 5 + 1.5 + 10 + 0.1 + 0.3  # components per object, incl. folders/profiles
# Bumped when the same arguments would write different files: part of the folder name, so a cached
# folder of an older generator (perhaps being read by a benchmark right now) is never reused or rewritten.
GENERATOR = 2
HEAVY_OBJECT, HEAVY_FIELD = "Account", "Segment__c"  # the heavily used field (see the docstring)
STANDARD = ["Account", "Contact", "Opportunity", "Case", "Lead"]
WORDS = ["Invoice", "Shipment", "Contract", "Property", "Asset", "Claim", "Policy", "Visit", "Order", "Project",
         "Ticket", "Vendor", "Payment", "Campaign", "Program", "Cohort", "Inspection", "Warranty", "Quote", "Route"]
FIELD_KINDS = ["Text", "Number", "Currency", "Date", "Checkbox", "Picklist", "Lookup", "Score", "Summary", "Notes",
               "Email", "Percent", "Code", "Stamp", "Flag", "Phone", "Url", "Owner", "Count", "Remarks"]
Mut = Callable[..., bool]


@dataclass(frozen=True)
class Sizes:
    objects: int
    fields_per_object: int
    layouts: int
    classes: int
    flows: int
    profiles: int
    reports: int
    report_folders: int

    @classmethod
    def for_components(cls, n: int) -> Sizes:
        objects = max(2, round(n / PER_OBJECT))
        return cls(objects=objects, fields_per_object=80, layouts=3 * objects, classes=5 * objects,
                   flows=max(1, round(1.5 * objects)), profiles=max(2, round(0.3 * objects)),
                   reports=10 * objects, report_folders=max(1, objects // 10))

    def total(self) -> int:
        objs = self.objects * (1 + self.fields_per_object + 1) + 1  # object, fields, validation rule; Segment__c
        return objs + self.layouts + self.classes + self.flows + self.profiles + self.reports + self.report_folders


def object_name(i: int) -> str:
    return STANDARD[i] if i < len(STANDARD) else f"{WORDS[i % len(WORDS)]}_{i:04d}__c"


def field_name(j: int) -> str:
    return f"F{j:02d}_{FIELD_KINDS[j % 20]}__c"


def class_name(k: int, sizes: Sizes) -> str:
    obj = object_name(k % sizes.objects).replace("__c", "").replace("_", "")
    return f"{obj}Service{k:05d}"


def _rng(*key: object) -> int:
    """A stable pseudo-random integer per key (no global state, so files can be written in any order)."""
    return int.from_bytes(hashlib.blake2b(repr(key).encode(), digest_size=8).digest(), "big")


def make_mut(seed: int, pct: float) -> Mut:
    threshold = int(pct * 100)  # out of 10,000

    def mutated(*key: object) -> bool:
        return pct > 0 and _rng("mut", seed, *key) % 10_000 < threshold

    return mutated


def _no_mut(*key: object) -> bool:
    return False


# --- objects ---------------------------------------------------------------------------------------


def _field(i: int, j: int, sizes: Sizes, seed: int, mut: Mut) -> str:
    kind = j % 20
    base = j - kind
    name = field_name(j)
    label = f"{FIELD_KINDS[kind]} {j}"
    desc = f"Synthetic field {j} of {object_name(i)}" + (" (revised)" if mut("field", i, j) else "")
    parts = [f"<fullName>{name}</fullName>"]

    def ref(off: int) -> str:
        return field_name(min(base + off, sizes.fields_per_object - 1))

    if kind == 6 or kind == 17:
        target = object_name((i + 1 + _rng(seed, "lk", i, j) % (sizes.objects - 1)) % sizes.objects)
        if j == 6 and _reads_segment(i):
            target = HEAVY_OBJECT
        rel = name.replace("__c", "")
        parts += ["<deleteConstraint>SetNull</deleteConstraint>", f"<description>{desc}</description>",
                  f"<label>{label}</label>", f"<referenceTo>{target}</referenceTo>",
                  f"<relationshipLabel>{escape(object_name(i))} {j}</relationshipLabel>",
                  f"<relationshipName>{rel}_{i}</relationshipName>", "<required>false</required>",
                  "<trackHistory>false</trackHistory>", "<type>Lookup</type>"]
    elif kind == 7:
        formula = f"{ref(1)} * {ref(2)} / 100"
        parts += [f"<description>{desc}</description>", f"<formula>{escape(formula)}</formula>",
                  "<formulaTreatBlanksAs>BlankAsZero</formulaTreatBlanksAs>", f"<label>{label}</label>",
                  "<precision>18</precision>", "<required>false</required>", "<scale>2</scale>", "<type>Number</type>"]
    elif kind == 8:
        via = HEAVY_FIELD if j == 8 and _reads_segment(i) else "Name"
        formula = f'TEXT({ref(5)}) & " - " & {ref(6).replace("__c", "__r")}.{via} & " " & {ref(0)}'
        parts += [f"<description>{desc}</description>", f"<formula>{escape(formula)}</formula>",
                  f"<label>{label}</label>", "<required>false</required>", "<type>Text</type>", "<unique>false</unique>"]
    elif kind == 14:
        formula = f"AND({ref(2)} > 1000, NOT(ISBLANK({ref(0)})), {ref(4)})"
        parts += [f"<description>{desc}</description>", f"<formula>{escape(formula)}</formula>",
                  f"<label>{label}</label>", "<type>Checkbox</type>"]
    elif kind == 5:
        values = "".join(f"<value><fullName>Value {v}</fullName><default>{'true' if v == 0 else 'false'}</default>"
                         f"<label>Value {v}</label></value>" for v in range(5 + _rng(seed, "pl", i, j) % 6))
        parts += [f"<description>{desc}</description>", f"<label>{label}</label>", "<required>false</required>",
                  "<trackHistory>true</trackHistory>", "<type>Picklist</type>",
                  f"<valueSet><restricted>true</restricted><valueSetDefinition><sorted>false</sorted>{values}"
                  "</valueSetDefinition></valueSet>"]
    else:
        simple = {0: ("Text", "<length>255</length>"), 1: ("Number", "<precision>18</precision><scale>0</scale>"),
                  2: ("Currency", "<precision>16</precision><scale>2</scale>"), 3: ("Date", ""),
                  4: ("Checkbox", "<defaultValue>false</defaultValue>"),
                  9: ("LongTextArea", "<length>32768</length><visibleLines>3</visibleLines>"), 10: ("Email", ""),
                  11: ("Percent", "<precision>5</precision><scale>2</scale>"), 12: ("Text", "<length>80</length>"),
                  13: ("DateTime", ""), 15: ("Phone", ""), 16: ("Url", ""),
                  18: ("Number", "<precision>10</precision><scale>0</scale>"), 19: ("TextArea", "")}
        ftype, extra = simple[kind]
        parts += [f"<description>{desc}</description>", "<externalId>false</externalId>",
                  f"<inlineHelpText>Help for {label}</inlineHelpText>", f"<label>{label}</label>", extra,
                  "<required>false</required>", "<trackHistory>false</trackHistory>", f"<type>{ftype}</type>"]
    return "    <fields>\n        " + "\n        ".join(p for p in parts if p) + "\n    </fields>\n"


def _reads_segment(i: int) -> bool:
    """Objects whose first text formula reads Account.Segment__c through their first lookup."""
    return i % 3 == 1


def _segment_field() -> str:
    return ("    <fields>\n        <fullName>Segment__c</fullName>\n        <description>Customer segment: drives"
            " pricing, routing and reporting</description>\n        <externalId>false</externalId>\n"
            "        <label>Segment</label>\n        <length>80</length>\n        <required>false</required>\n"
            "        <trackHistory>true</trackHistory>\n        <type>Text</type>\n    </fields>\n")


def render_object(i: int, sizes: Sizes, seed: int, mut: Mut) -> str:
    name = object_name(i)
    standard = i < len(STANDARD)
    desc = f"Synthetic object {i}" + (" (revised)" if mut("object", i) else "")
    out = [HEAD, f'<CustomObject xmlns="{NS}">\n']
    if not standard:
        out.append("    <allowInChatterGroups>false</allowInChatterGroups>\n"
                   "    <deploymentStatus>Deployed</deploymentStatus>\n"
                   f"    <description>{desc}</description>\n"
                   "    <enableActivities>true</enableActivities>\n    <enableHistory>true</enableHistory>\n"
                   "    <enableReports>true</enableReports>\n")
    out += [_field(i, j, sizes, seed, mut) for j in range(sizes.fields_per_object)]
    if name == HEAVY_OBJECT:
        out.append(_segment_field())
    if not standard:
        label = name.replace("__c", "").replace("_", " ")
        out.append(f"    <label>{label}</label>\n"
                   f"    <nameField><displayFormat>{label[:3].upper()}-{{0000}}</displayFormat>"
                   f"<label>{label} Number</label><type>AutoNumber</type></nameField>\n"
                   f"    <pluralLabel>{label}s</pluralLabel>\n    <sharingModel>ReadWrite</sharingModel>\n")
    cond = f"AND(ISBLANK({field_name(0)}), {field_name(1)} > {10 + i % 90})"
    msg = f"{field_name(0)} is required when {field_name(1)} is over the limit" + (" (v2)" if mut("rule", i) else "")
    out.append(f"    <validationRules>\n        <fullName>Require_{field_name(0).replace('__c', '')}</fullName>\n"
               f"        <active>true</active>\n        <errorConditionFormula>{escape(cond)}</errorConditionFormula>\n"
               f"        <errorDisplayField>{field_name(0)}</errorDisplayField>\n"
               f"        <errorMessage>{msg}</errorMessage>\n    </validationRules>\n")
    out.append("</CustomObject>\n")
    return "".join(out)


# --- layouts, classes, flows, profiles, reports -------------------------------------------------------


def layout_file(k: int, sizes: Sizes) -> tuple[int, str]:
    i = k % sizes.objects
    return i, f"{object_name(i)}-{object_name(i).replace('__c', '').replace('_', ' ')} Layout {k // sizes.objects}"


def render_layout(k: int, sizes: Sizes, seed: int, mut: Mut) -> str:
    i, _ = layout_file(k, sizes)
    start = _rng(seed, "lay", k) % 40
    items = "".join(f"<layoutItems><behavior>{'Required' if j == start else 'Edit'}</behavior>"
                    f"<field>{field_name(j)}</field></layoutItems>\n"
                    for j in range(start, start + 24) if j % 20 not in (7, 8, 14))
    ro = "".join(f"<layoutItems><behavior>Readonly</behavior><field>{field_name(j)}</field></layoutItems>\n"
                 for j in range(start, start + 24) if j % 20 in (7, 8, 14))
    if object_name(i) == HEAVY_OBJECT:
        items += f"<layoutItems><behavior>Edit</behavior><field>{HEAVY_FIELD}</field></layoutItems>\n"
    heading = "Information (revised)" if mut("layout", k) else "Information"
    return (f'{HEAD}<Layout xmlns="{NS}">\n<layoutSections>\n<customLabel>false</customLabel>'
            f"<detailHeading>true</detailHeading><editHeading>true</editHeading><label>{heading}</label>\n"
            f"<layoutColumns>\n<layoutItems><behavior>Required</behavior><field>Name</field></layoutItems>\n{items}"
            f"</layoutColumns>\n<layoutColumns>\n{ro}</layoutColumns>\n<style>TwoColumnsTopToBottom</style>\n"
            "</layoutSections>\n<layoutSections>\n<customLabel>false</customLabel><detailHeading>false</detailHeading>"
            "<editHeading>true</editHeading><label>System Information</label>\n<layoutColumns>\n"
            "<layoutItems><behavior>Readonly</behavior><field>CreatedById</field></layoutItems>\n</layoutColumns>\n"
            "<layoutColumns>\n<layoutItems><behavior>Readonly</behavior><field>LastModifiedById</field></layoutItems>\n"
            "</layoutColumns>\n<style>TwoColumnsLeftToRight</style>\n</layoutSections>\n"
            "<showEmailCheckbox>false</showEmailCheckbox>\n<showHighlightsPanel>false</showHighlightsPanel>\n"
            "<showInteractionLogPanel>false</showInteractionLogPanel>\n<showRunAssignmentRulesCheckbox>false"
            "</showRunAssignmentRulesCheckbox>\n<showSubmitAndAttachButton>false</showSubmitAndAttachButton>\n"
            "</Layout>\n")


def render_class(k: int, sizes: Sizes, seed: int, mut: Mut) -> str:
    i = k % sizes.objects
    obj, me = object_name(i), class_name(k, sizes)
    f = [field_name((_rng(seed, "cls", k, n) % 20) + 20 * n) for n in range(4)]
    other = class_name((k + 1 + _rng(seed, "call", k) % (sizes.classes - 1)) % sizes.classes, sizes) if sizes.classes > 1 else me
    extra = "        // revised: guard against empty input\n" if mut("class", k) else ""
    segment = "" if k % 10 else f"""
    public static Map<Id, {HEAVY_OBJECT}> segments(Set<Id> accountIds) {{
        return new Map<Id, {HEAVY_OBJECT}>([SELECT Id, {HEAVY_FIELD} FROM {HEAVY_OBJECT} WHERE Id IN :accountIds]);
    }}
"""
    return f"""/**
 * Service methods for {obj}. Generated for the Orgbook ingest benchmark.
 */
public with sharing class {me} {{
    public static final Integer LIMIT_ROWS = {200 + k % 800};

    public static List<{obj}> findRecent(Set<Id> ids) {{
{extra}        if (ids == null || ids.isEmpty()) {{
            return new List<{obj}>();
        }}
        return [
            SELECT Id, Name, {f[0]}, {f[1]}, {f[2]}
            FROM {obj}
            WHERE Id IN :ids AND {f[3]} != null
            ORDER BY CreatedDate DESC
            LIMIT :LIMIT_ROWS
        ];
    }}

    public static void stamp(List<{obj}> records) {{
        for ({obj} rec : records) {{
            rec.{f[0]} = rec.{f[1]};
        }}
        update records;
        {other}.helper();
    }}

    public static Integer helper() {{
        Map<Id, {obj}> byId = new Map<Id, {obj}>(findRecent(new Set<Id>()));
        return byId.size();
    }}
{segment}}}
"""


def class_meta() -> str:
    return f'{HEAD}<ApexClass xmlns="{NS}">\n    <apiVersion>{API}</apiVersion>\n    <status>Active</status>\n</ApexClass>\n'


def render_flow(k: int, sizes: Sizes, seed: int, mut: Mut) -> str:
    i = k % sizes.objects
    obj = object_name(i)
    other = object_name((i + 1) % sizes.objects)
    f = [field_name((_rng(seed, "flow", k, n) % 20) + 20 * n) for n in range(4)]
    lookup = (HEAVY_OBJECT, HEAVY_FIELD) if k % 5 == 0 else (other, f[2])  # every fifth looks up by segment
    desc = f"Keeps {obj} in step" + (" (revised)" if mut("flow", k) else "")
    return f"""{HEAD}<Flow xmlns="{NS}">
    <apiVersion>{API}</apiVersion>
    <decisions>
        <name>Has_Value</name>
        <label>Has Value</label>
        <locationX>176</locationX>
        <locationY>287</locationY>
        <defaultConnectorLabel>Default Outcome</defaultConnectorLabel>
        <rules>
            <name>Yes</name>
            <conditionLogic>and</conditionLogic>
            <conditions>
                <leftValueReference>$Record.{f[1]}</leftValueReference>
                <operator>IsNull</operator>
                <rightValue><booleanValue>false</booleanValue></rightValue>
            </conditions>
            <connector><targetReference>Get_Related</targetReference></connector>
            <label>Yes</label>
        </rules>
    </decisions>
    <description>{desc}</description>
    <environments>Default</environments>
    <interviewLabel>Flow {k} {{!$Flow.CurrentDateTime}}</interviewLabel>
    <label>Flow {k} on {obj}</label>
    <processMetadataValues><name>BuilderType</name><value><stringValue>LightningFlowBuilder</stringValue></value></processMetadataValues>
    <processType>AutoLaunchedFlow</processType>
    <recordLookups>
        <name>Get_Related</name>
        <label>Get Related</label>
        <locationX>50</locationX>
        <locationY>395</locationY>
        <assignNullValuesIfNoRecordsFound>false</assignNullValuesIfNoRecordsFound>
        <connector><targetReference>Update_Record</targetReference></connector>
        <filterLogic>and</filterLogic>
        <filters><field>{lookup[1]}</field><operator>EqualTo</operator><value><elementReference>$Record.Id</elementReference></value></filters>
        <getFirstRecordOnly>true</getFirstRecordOnly>
        <object>{lookup[0]}</object>
        <storeOutputAutomatically>true</storeOutputAutomatically>
    </recordLookups>
    <recordUpdates>
        <name>Update_Record</name>
        <label>Update Record</label>
        <locationX>50</locationX>
        <locationY>503</locationY>
        <inputAssignments><field>{f[0]}</field><value><elementReference>Get_Related.Name</elementReference></value></inputAssignments>
        <inputAssignments><field>{f[3]}</field><value><stringValue>Synced</stringValue></value></inputAssignments>
        <inputReference>$Record</inputReference>
    </recordUpdates>
    <start>
        <locationX>50</locationX>
        <locationY>0</locationY>
        <connector><targetReference>Has_Value</targetReference></connector>
        <filterLogic>and</filterLogic>
        <filters><field>{f[1]}</field><operator>IsChanged</operator><value><booleanValue>true</booleanValue></value></filters>
        <object>{obj}</object>
        <recordTriggerType>CreateAndUpdate</recordTriggerType>
        <triggerType>RecordAfterSave</triggerType>
    </start>
    <status>Active</status>
</Flow>
"""


def profile_name(p: int) -> str:
    return "Admin" if p == 0 else f"Custom {WORDS[p % len(WORDS)]} Profile {p:03d}"


def render_profile(p: int, sizes: Sizes, seed: int, mut: Mut) -> str:
    objs = sorted({_rng(seed, "po", p, n) % sizes.objects for n in range(min(40, sizes.objects))})
    classes = sorted({_rng(seed, "pc", p, n) % sizes.classes for n in range(20)})
    out = [HEAD, f'<Profile xmlns="{NS}">\n']
    out += [f"    <classAccesses><apexClass>{class_name(c, sizes)}</apexClass><enabled>{'true' if c % 3 else 'false'}"
            "</enabled></classAccesses>\n" for c in classes]
    out.append("    <custom>true</custom>\n")
    out.append(f"    <description>Profile {p}{' (revised)' if mut('profile', p) else ''}</description>\n")
    out.append(f"    <fieldPermissions><editable>{'true' if p % 4 else 'false'}</editable>"
               f"<field>{HEAVY_OBJECT}.{HEAVY_FIELD}</field><readable>true</readable></fieldPermissions>\n")
    for i in objs:
        for j in sorted({_rng(seed, "pf", p, i, n) % sizes.fields_per_object for n in range(8)}):
            edit = "true" if (p + j) % 3 else "false"
            read = "true" if (p + i + j) % 5 else "false"
            out.append(f"    <fieldPermissions><editable>{edit}</editable><field>{object_name(i)}.{field_name(j)}</field>"
                       f"<readable>{read}</readable></fieldPermissions>\n")
    for i in objs:
        out.append(f"    <layoutAssignments><layout>{layout_file(i, sizes)[1]}</layout></layoutAssignments>\n")
    for i in objs:
        full = "true" if p == 0 else "false"
        out.append(f"    <objectPermissions><allowCreate>true</allowCreate><allowDelete>{full}</allowDelete>"
                   f"<allowEdit>true</allowEdit><allowRead>true</allowRead><modifyAllRecords>{full}</modifyAllRecords>"
                   f"<object>{object_name(i)}</object><viewAllRecords>{full}</viewAllRecords></objectPermissions>\n")
    out.append("    <userLicense>Salesforce</userLicense>\n")
    for perm in ("ApiEnabled", "EditTask", "RunReports", "ViewSetup"):
        out.append(f"    <userPermissions><enabled>true</enabled><name>{perm}</name></userPermissions>\n")
    out.append("</Profile>\n")
    return "".join(out)


def report_path(r: int, sizes: Sizes) -> tuple[str, str]:
    folder = f"Folder_{r % sizes.report_folders:03d}"
    return folder, f"Report_{r:05d}"


def render_report(r: int, sizes: Sizes, seed: int, mut: Mut) -> str:
    i = r % sizes.objects
    obj = object_name(i)
    cols = "".join(f"    <columns><field>{obj}.{field_name((_rng(seed, 'rc', r, n) % 20) + 20 * n)}</field></columns>\n"
                   for n in range(4))
    desc = f"Report {r} on {obj}" + (" (revised)" if mut("report", r) else "")
    return (f'{HEAD}<Report xmlns="{NS}">\n{cols}    <description>{desc}</description>\n'
            f"    <filter><criteriaItems><column>{obj}.{field_name(0)}</column><isUnlocked>true</isUnlocked>"
            "<operator>notEqual</operator><value></value></criteriaItems></filter>\n"
            f"    <format>Tabular</format>\n    <name>Report {r}</name>\n"
            "    <params><name>co</name><value>1</value></params>\n"
            f"    <reportType>CustomEntity${obj}</reportType>\n    <scope>organization</scope>\n"
            "    <showDetails>true</showDetails>\n    <showGrandTotal>true</showGrandTotal>\n"
            "    <timeFrameFilter><dateColumn>CUST_CREATED_DATE</dateColumn><interval>INTERVAL_CUSTOM</interval>"
            "</timeFrameFilter>\n</Report>\n")


def render_report_folder(n: int, mut: Mut) -> str:
    return (f'{HEAD}<ReportFolder xmlns="{NS}">\n    <accessType>Public</accessType>\n'
            f"    <name>Folder {n}{' (revised)' if mut('folder', n) else ''}</name>\n"
            "    <publicFolderAccess>ReadWrite</publicFolderAccess>\n</ReportFolder>\n")


def render_package(sizes: Sizes) -> str:
    types = [("ApexClass", ["*"]), ("CustomObject", ["*"]), ("Flow", ["*"]), ("Layout", ["*"]), ("Profile", ["*"])]
    reports = [f"Folder_{n:03d}" for n in range(sizes.report_folders)]
    reports += ["/".join(report_path(r, sizes)) for r in range(sizes.reports)]
    types.append(("Report", sorted(reports)))
    body = "".join("    <types>\n" + "".join(f"        <members>{escape(m)}</members>\n" for m in members)
                   + f"        <name>{name}</name>\n    </types>\n" for name, members in types)
    return f'{HEAD}<Package xmlns="{NS}">\n{body}    <version>{API}</version>\n</Package>\n'


# --- writing -----------------------------------------------------------------------------------------


class Writer:
    def __init__(self, root: Path, replace: bool) -> None:
        self.root, self.replace, self.files, self.bytes = root, replace, 0, 0

    def write(self, rel: str, text: str) -> None:
        path = self.root / rel
        data = text.encode("utf-8")
        if self.replace:  # never write through a hard link into the original folder
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        else:
            path.write_bytes(data)
        self.files += 1
        self.bytes += len(data)


def write_org(root: Path, sizes: Sizes, seed: int, mut: Mut, touched: Callable[..., bool] | None = None) -> Writer:
    """Write every file, or with `touched` only the files holding a mutated component."""
    w = Writer(root, replace=touched is not None)
    sel = touched or (lambda *key: True)
    for d in ("objects", "layouts", "classes", "flows", "profiles", "reports"):
        (root / d).mkdir(parents=True, exist_ok=True)
    for n in range(sizes.report_folders):
        (root / "reports" / f"Folder_{n:03d}").mkdir(exist_ok=True)
    if touched is None:
        w.write("package.xml", render_package(sizes))
    for i in range(sizes.objects):
        if sel("object", i) or sel("rule", i) or any(sel("field", i, j) for j in range(sizes.fields_per_object)):
            w.write(f"objects/{object_name(i)}.object", render_object(i, sizes, seed, mut))
    for k in range(sizes.layouts):
        if sel("layout", k):
            w.write(f"layouts/{layout_file(k, sizes)[1]}.layout", render_layout(k, sizes, seed, mut))
    for k in range(sizes.classes):
        if sel("class", k):
            w.write(f"classes/{class_name(k, sizes)}.cls", render_class(k, sizes, seed, mut))
            if touched is None:
                w.write(f"classes/{class_name(k, sizes)}.cls-meta.xml", class_meta())
    for k in range(sizes.flows):
        if sel("flow", k):
            w.write(f"flows/Flow_{k:05d}.flow", render_flow(k, sizes, seed, mut))
    for p in range(sizes.profiles):
        if sel("profile", p):
            w.write(f"profiles/{profile_name(p)}.profile", render_profile(p, sizes, seed, mut))
    for n in range(sizes.report_folders):
        if sel("folder", n):
            w.write(f"reports/Folder_{n:03d}-meta.xml", render_report_folder(n, mut))
    for r in range(sizes.reports):
        if sel("report", r):
            folder, name = report_path(r, sizes)
            w.write(f"reports/{folder}/{name}.report", render_report(r, sizes, seed, mut))
    return w


def folder_for(components: int, seed: int, mutate: float = 0) -> Path:
    name = f"org-{components}-s{seed}-g{GENERATOR}" + (f"-mut{mutate:g}" if mutate else "")
    return OUT / name


def generate(components: int, seed: int = 1, *, force: bool = False) -> Path:
    """The cached folder for (components, seed), written if missing or incomplete."""
    root = folder_for(components, seed)
    done = root / ".complete"
    if done.exists() and not force:
        return root
    if root.exists():
        shutil.rmtree(root)
    sizes = Sizes.for_components(components)
    w = write_org(root, sizes, seed, _no_mut)
    done.write_text(json.dumps({"components": sizes.total(), "files": w.files, "bytes": w.bytes, **sizes.__dict__}))
    return root


def mutate(components: int, pct: float, seed: int = 1, *, force: bool = False) -> tuple[Path, int]:
    """A hard-linked copy of the cached org with about `pct`% of its components changed."""
    base = generate(components, seed)
    root = folder_for(components, seed, pct)
    done = root / ".complete"
    if done.exists() and not force:
        return root, json.loads(done.read_text())["mutated"]
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(base, root, copy_function=os.link, ignore=shutil.ignore_patterns(".complete"))
    sizes = Sizes.for_components(components)
    mut = make_mut(seed, pct)
    w = write_org(root, sizes, seed, mut, touched=mut)
    count = _count_mutated(sizes, mut)
    done.write_text(json.dumps({"mutated": count, "files_rewritten": w.files, "pct": pct}))
    return root, count


def _count_mutated(sizes: Sizes, mut: Mut) -> int:
    n = sum(1 for i in range(sizes.objects) for j in range(sizes.fields_per_object) if mut("field", i, j))
    n += sum(1 for i in range(sizes.objects) if mut("object", i)) + sum(1 for i in range(sizes.objects) if mut("rule", i))
    for kind, count in (("layout", sizes.layouts), ("class", sizes.classes), ("flow", sizes.flows),
                        ("profile", sizes.profiles), ("folder", sizes.report_folders), ("report", sizes.reports)):
        n += sum(1 for k in range(count) if mut(kind, k))
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--components", type=int, required=True, help="about how many components to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mutate", type=float, default=0, metavar="PCT",
                    help="write a copy of the generated org with PCT%% of its components changed")
    ap.add_argument("--force", action="store_true", help="rewrite even if cached")
    a = ap.parse_args(argv)
    if a.mutate:
        root, count = mutate(a.components, a.mutate, a.seed, force=a.force)
        print(json.dumps({"path": str(root), "mutated": count}))
    else:
        root = generate(a.components, a.seed, force=a.force)
        print(json.dumps({"path": str(root), **json.loads((root / ".complete").read_text())}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
