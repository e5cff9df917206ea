"""Reports, report types and dashboards: which fields, objects and reports they use, on the
corpus's real files (PMM, Volunteers for Salesforce) and written snippets for the other forms."""

from __future__ import annotations

from orgbook.metadata import ParsedComponent, SchemaIndex, iter_dependencies
from orgbook.metadata.tests.conftest import PMM, V4S, of_type, one

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def edges(c: ParsedComponent, schema: SchemaIndex | None = None) -> set[tuple[str, str, str]]:
    return {(d.to_type, d.to_name, d.where) for d in iter_dependencies(c, schema)}


def report(body: str) -> ParsedComponent:
    xml = f'<?xml version="1.0" encoding="UTF-8"?><Report {NS}>{body}</Report>'
    return ParsedComponent(type="Report", full_name="Folder/R", file_path="x", definition=xml.encode(), content_hash="")


def test_pmm_report_fields_lookup_fields_and_object_from_corpus() -> None:
    got = edges(one(PMM, "Report", "ProgramManagementReports/Services_Delivered_Year_to_Date_MY"))
    assert {
        ("CustomObject", "ServiceDelivery__c", "reportType"),
        ("CustomField", "ServiceDelivery__c.Service__c", "reportType"),  # the "with Service" lookup
        ("CustomField", "ServiceDelivery__c.Quantity__c", "columns"),
        ("CustomField", "Service__c.Program__c", "groupingsDown"),  # FK_$Service__c.Program__c
        ("CustomField", "Service__c.UnitOfMeasurement__c", "groupingsDown"),
        ("CustomField", "ServiceDelivery__c.DeliveryDate__c", "timeFrameFilter"),
    } <= got
    # FK_NAME is a standard column: it names no field we could point at
    assert not any("NAME" in name for _, name, _ in got)


def test_v4s_reports_from_corpus_skip_standard_columns_and_read_filters() -> None:
    reports = of_type(V4S, "Report")
    assert len(reports) == 32
    found = {e for r in reports for e in edges(r)}
    assert ("CustomField", "Contact.Volunteer_Status__c", "columns") in found
    assert ("CustomField", "Contact.Volunteer_Status__c", "filter") in found
    assert ("CustomField", "Volunteer_Hours__c.Status__c", "columns") in found
    # ContactCustomEntity$Volunteer_Hours__c@Volunteer_Hours__c.Volunteer_Job__c
    assert ("CustomObject", "Contact", "reportType") in found
    assert ("CustomObject", "Volunteer_Hours__c", "reportType") in found
    assert ("CustomField", "Volunteer_Hours__c.Volunteer_Job__c", "reportType") in found
    names = {name for _, name, _ in found}
    assert not names & {"LAST_NAME", "ACCOUNT.NAME", "EMAIL", "FK_NAME"}
    assert not any(name.startswith(("ACCOUNT.", "FK_")) for name in names)


def test_custom_report_type_columns_with_dollar_and_lookup_paths() -> None:
    r = report("<columns><field>Volunteer_Job__c$Campaign__c</field></columns>"
               "<columns><field>Opportunity$Account.Segment__c</field></columns>"
               "<columns><field>Contact.Program_Engagements__r$Stage__c</field></columns>"
               "<reportType>Jobs_with_Shifts__c</reportType>")
    got = edges(r, SchemaIndex({("opportunity", "accountid"): "Account"}))
    assert {
        ("CustomField", "Volunteer_Job__c.Campaign__c", "columns"),
        ("CustomField", "Account.Segment__c", "columns"),
        ("ReportType", "Jobs_with_Shifts", "reportType"),
    } <= got
    # through a child relationship the child object is not named: nothing is guessed
    assert not any("Stage__c" in name for _, name, _ in got)


def test_parent_and_child_custom_entity_report_type() -> None:
    got = edges(report("<reportType>CustomEntityCustomEntity$Property__c$Offer__c</reportType>"))
    assert got == {("CustomObject", "Property__c", "reportType"), ("CustomObject", "Offer__c", "reportType")}


def test_report_type_base_object_and_section_fields_from_corpus() -> None:
    got = edges(one(PMM, "ReportType", "Contacts_with_and_without_Program_Engagements"))
    assert ("CustomObject", "Contact", "baseObject") in got
    assert ("CustomField", "Contact.AttendanceRate__c", "sections") in got
    assert ("CustomField", "Contact.IsClient__c", "sections") in got


def test_dashboard_uses_its_reports_from_corpus() -> None:
    dashboards = of_type(PMM, "Dashboard")
    used = {name for d in dashboards for t, name, _ in edges(d) if t == "Report"}
    assert "ProgramManagementReports/Services_Delivered_Year_to_Date_MY" in used
    assert "ProgramManagementReports/All_Active_Program_Engagements_HWv" in used


def test_v4s_dashboard_in_metadata_api_format_from_corpus() -> None:
    # mdapi `.dashboard` files have no -meta.xml: the file itself is read
    used = {name for d in of_type(V4S, "Dashboard") for t, name, _ in edges(d) if t == "Report"}
    assert used and all(name.startswith("Volunteer_Reports/") for name in used)


def test_malformed_report_uses_nothing() -> None:
    broken = ParsedComponent(type="Report", full_name="F/Bad", file_path="reports/F/Bad.report", definition=b"",
                             content_hash="", body=b"<Report><columns><field>A__c.B__c</field></Report>")
    assert edges(broken) == set()
