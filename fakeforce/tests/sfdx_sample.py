"""A small SFDX project written into tmp_path: every conversion rule the emulator applies."""

from __future__ import annotations

from pathlib import Path

MD = 'xmlns="http://soap.sforce.com/2006/04/metadata"'
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'


def write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def make_project(root: Path) -> Path:
    write(root, "sfdx-project.json", '{"packageDirectories":[{"path":"force-app","default":true}],"sourceApiVersion":"62.0"}')
    d = "force-app/main/default"
    write(root, f"{d}/classes/AccountService.cls", "public with sharing class AccountService {}\n")
    write(root, f"{d}/classes/AccountService.cls-meta.xml",
          f"{HEAD}<ApexClass {MD}><apiVersion>62.0</apiVersion><status>Active</status></ApexClass>\n")
    write(root, f"{d}/objects/Invoice__c/Invoice__c.object-meta.xml",
          f"{HEAD}<CustomObject {MD}><label>Invoice</label><pluralLabel>Invoices</pluralLabel>"
          "<sharingModel>ReadWrite</sharingModel></CustomObject>\n")
    write(root, f"{d}/objects/Invoice__c/fields/Amount__c.field-meta.xml",
          f"{HEAD}<CustomField {MD}><fullName>Amount__c</fullName><label>Amount</label><type>Currency</type>"
          "<precision>18</precision><scale>2</scale></CustomField>\n")
    write(root, f"{d}/objects/Invoice__c/validationRules/Amount_Positive.validationRule-meta.xml",
          f"{HEAD}<ValidationRule {MD}><fullName>Amount_Positive</fullName><active>true</active>"
          "<errorConditionFormula>Amount__c &lt; 0</errorConditionFormula></ValidationRule>\n")
    write(root, f"{d}/objects/Account/fields/Tier__c.field-meta.xml",
          f"{HEAD}<CustomField {MD}><fullName>Tier__c</fullName><label>Tier</label><type>Text</type>"
          "<length>40</length></CustomField>\n")
    write(root, f"{d}/layouts/Invoice__c-Invoice Layout.layout-meta.xml",
          f"{HEAD}<Layout {MD}><layoutSections><label>Info</label></layoutSections></Layout>\n")
    write(root, f"{d}/lwc/invoiceCard/invoiceCard.js", "export default class InvoiceCard {}\n")
    write(root, f"{d}/lwc/invoiceCard/invoiceCard.html", "<template></template>\n")
    write(root, f"{d}/lwc/invoiceCard/invoiceCard.js-meta.xml",
          f"{HEAD}<LightningComponentBundle {MD}><apiVersion>62.0</apiVersion><isExposed>true</isExposed>"
          "</LightningComponentBundle>\n")
    write(root, f"{d}/lwc/invoiceCard/__tests__/invoiceCard.test.js", "test\n")
    write(root, f"{d}/staticresources/bundle.resource-meta.xml",
          f"{HEAD}<StaticResource {MD}><cacheControl>Private</cacheControl><contentType>application/zip"
          "</contentType></StaticResource>\n")
    write(root, f"{d}/staticresources/bundle/js/app.js", "console.log(1)\n")
    write(root, f"{d}/staticresources/data.resource-meta.xml",
          f"{HEAD}<StaticResource {MD}><cacheControl>Public</cacheControl><contentType>application/json"
          "</contentType></StaticResource>\n")
    write(root, f"{d}/staticresources/data.json", '{"a": 1}\n')
    write(root, f"{d}/reports/Sales.reportFolder-meta.xml",
          f"{HEAD}<ReportFolder {MD}><name>Sales</name><accessType>Public</accessType></ReportFolder>\n")
    write(root, f"{d}/reports/Sales/Pipeline.report-meta.xml",
          f"{HEAD}<Report {MD}><name>Pipeline</name><format>Tabular</format></Report>\n")
    write(root, f"{d}/labels/CustomLabels.labels-meta.xml",
          f"{HEAD}<CustomLabels {MD}><labels><fullName>Greeting</fullName><value>Hi</value></labels>"
          "<labels><fullName>Bye</fullName><value>Bye</value></labels></CustomLabels>\n")
    write(root, f"{d}/profiles/Admin.profile-meta.xml",
          f"{HEAD}<Profile {MD}><custom>false</custom><userLicense>Salesforce</userLicense></Profile>\n")
    return root
