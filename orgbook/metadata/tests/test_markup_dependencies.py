"""Dependencies read from Visualforce, Aura, LWC and email template bodies (written snippets:
the corpus keeps descriptors only, not these bodies), and once through the reader."""

from __future__ import annotations

from pathlib import Path

from orgbook.metadata import ParsedComponent, SchemaIndex, iter_components, iter_dependencies
from orgbook.metadata.markup import strip_js_comments

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def comp(type_: str, name: str, body: str, xml: str = "") -> ParsedComponent:
    return ParsedComponent(type=type_, full_name=name, file_path="x", definition=xml.encode(), content_hash="",
                           body=body.encode())


def edges(c: ParsedComponent, schema: SchemaIndex | None = None) -> set[tuple[str, str, str]]:
    return {(d.to_type, d.to_name, d.where) for d in iter_dependencies(c, schema)}


def targets(c: ParsedComponent, schema: SchemaIndex | None = None) -> set[tuple[str, str]]:
    return {(t, n) for t, n, _ in edges(c, schema)}


VF_PAGE = """<apex:page standardController="Property__c" extensions="PropertyExt, ns.Pricing" showHeader="false">
  <!-- <c:OldBanner/> and {!Property__c.Retired__c} are commented out -->
  <c:Banner title="{!$Label.Welcome}"/>
  <apex:include pageName="Footer"/>
  <apex:outputField value="{!Property__c.Price__c}"/>
  <apex:outputText value="{!IF(property__c.Broker__r.Email__c != null, $Resource.Logo, '')}"/>
  <apex:outputText value="{!someControllerProperty.Name}"/>
</apex:page>"""


def test_visualforce_page_controller_extensions_components_and_fields() -> None:
    got = edges(comp("ApexPage", "PropertyPage", VF_PAGE), SchemaIndex({("property__c", "broker__c"): "Broker__c"}))
    assert {
        ("CustomObject", "Property__c", "standardController"),
        ("ApexClass", "PropertyExt", "controller"),
        ("ApexClass", "ns__Pricing", "controller"),
        ("ApexComponent", "Banner", "markup"),
        ("ApexPage", "Footer", "apex:include"),
        ("CustomLabel", "Welcome", "merge field"),
        ("CustomField", "Property__c.Price__c", "merge field"),
        ("CustomField", "Property__c.Broker__c", "merge field"),
        ("CustomField", "Broker__c.Email__c", "merge field"),
        ("StaticResource", "Logo", "merge field"),
    } <= got
    names = {n for _, n, _ in got}
    assert "OldBanner" not in names and "Property__c.Retired__c" not in names  # comments are skipped
    assert not any("someControllerProperty" in n for n in names)  # controller properties are not fields


def test_visualforce_component_controller() -> None:
    c = comp("ApexComponent", "Banner", '<apex:component controller="BannerCtrl"><apex:attribute name="title" type="String"/></apex:component>')
    assert targets(c) == {("ApexClass", "BannerCtrl")}


AURA_CMP = """<aura:component controller="PropertyController" extends="c:baseCard" implements="flexipage:availableForAllPageTypes">
    <aura:registerEvent name="pick" type="c:propertyPicked"/>
    <aura:handler event="c:filterChange" action="{!c.onFilter}"/>
    <!-- <c:legacyList/> -->
    <c:propertyTile property="{!v.property}"/>
    <lightning:button label="{!$Label.c.Save_Label}"/>
</aura:component>"""


def test_aura_controller_components_events_and_labels() -> None:
    got = targets(comp("AuraDefinitionBundle", "propertyList", AURA_CMP))
    assert got == {
        ("ApexClass", "PropertyController"),
        ("AuraDefinitionBundle", "baseCard"),
        ("AuraDefinitionBundle", "propertyPicked"),
        ("AuraDefinitionBundle", "filterChange"),
        ("AuraDefinitionBundle", "propertyTile"),
        ("CustomLabel", "Save_Label"),
    }


LWC_JS = """import { LightningElement, wire } from 'lwc';
import getPagedPropertyList from '@salesforce/apex/PropertyController.getPagedPropertyList';
import getRates from "@salesforce/apex/ns.RateService.getRates";
import PRICE from '@salesforce/schema/Property__c.Price__c';
import BROKER_EMAIL from '@salesforce/schema/Property__c.Broker__r.Email__c';
import PROPERTY from '@salesforce/schema/Property__c';
import LABEL from '@salesforce/label/c.Search_Label';
import LOGO from '@salesforce/resourceUrl/Dreamhouse_Logo';
import CAN_EDIT from '@salesforce/customPermission/Edit_Prices';
import FILTERS from '@salesforce/messageChannel/FiltersChange__c';
import { formatPrice } from 'c/utils';
// import OLD from '@salesforce/apex/OldController.get';
/* import GONE from 'c/gone'; */
const note = "import x from 'c/notAnImport'";
export default class PropertyList extends LightningElement {
    async load() { const m = await import('c/lazyChart'); }
}
"""


def test_lwc_imports() -> None:
    got = edges(comp("LightningComponentBundle", "propertyList", LWC_JS))
    assert {(t, n) for t, n, _ in got} == {
        ("ApexClass", "PropertyController"),
        ("ApexClass", "ns__RateService"),
        ("CustomObject", "Property__c"),
        ("CustomField", "Property__c.Price__c"),
        ("CustomField", "Property__c.Broker__c"),
        ("CustomField", "Broker__c.Email__c"),
        ("CustomLabel", "Search_Label"),
        ("StaticResource", "Dreamhouse_Logo"),
        ("CustomPermission", "Edit_Prices"),
        ("LightningMessageChannel", "FiltersChange"),
        ("LightningComponentBundle", "utils"),
        ("LightningComponentBundle", "lazyChart"),
    }
    assert ("ApexClass", "PropertyController", "@salesforce/apex") in got


def test_js_comment_stripping_keeps_strings() -> None:
    src = "a = '//not a comment'; // gone\nb = `/* kept */`; /* gone */ c = \"x\\\"y\""
    assert strip_js_comments(src) == "a = '//not a comment'; \nb = `/* kept */`;   c = \"x\\\"y\""


def test_text_email_template_merge_fields_subject_and_letterhead() -> None:
    meta = f"<EmailTemplate {NS}><letterhead>Company_Letterhead</letterhead><subject>Welcome {{!Contact.FirstName}}</subject><type>html</type></EmailTemplate>"
    body = "Dear {!Contact.Name}, your agent {!Receiving_User.Title} about {!Property__c.Price__c}. {!NOT_AN_OBJECT}"
    got = targets(comp("EmailTemplate", "Folder/Welcome", body, meta))
    assert got == {
        ("Letterhead", "Company_Letterhead"),
        ("CustomField", "Contact.FirstName"),
        ("CustomField", "Contact.Name"),
        ("CustomField", "User.Title"),
        ("CustomField", "Property__c.Price__c"),
    }


def test_visualforce_email_template_related_to_and_recipient() -> None:
    meta = f"<EmailTemplate {NS}><type>visualforce</type></EmailTemplate>"
    body = """<messaging:emailTemplate subject="Offer on {!relatedTo.Name}" recipientType="Contact" relatedToType="Offer__c">
      <messaging:htmlEmailBody>Hi {!recipient.FirstName}, {!relatedTo.Amount__c} <c:OfferTable offerId="{!relatedTo.Id}"/></messaging:htmlEmailBody>
    </messaging:emailTemplate>"""
    got = targets(comp("EmailTemplate", "Offers/Offer_Made", body, meta))
    assert {
        ("CustomObject", "Offer__c"), ("CustomObject", "Contact"),
        ("CustomField", "Offer__c.Name"), ("CustomField", "Offer__c.Amount__c"),
        ("CustomField", "Contact.FirstName"), ("ApexComponent", "OfferTable"),
    } <= got


def test_bodies_reach_the_extractor_through_the_reader(tmp_path: Path) -> None:
    """A real mdapi folder: page, LWC bundle and email template with their -meta.xml files."""
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "PropertyPage.page").write_text(VF_PAGE)
    (tmp_path / "pages" / "PropertyPage.page-meta.xml").write_text(f"<ApexPage {NS}><label>P</label></ApexPage>")
    lwc = tmp_path / "lwc" / "propertyList"
    lwc.mkdir(parents=True)
    (lwc / "propertyList.js").write_text(LWC_JS)
    (lwc / "propertyList.js-meta.xml").write_text(f"<LightningComponentBundle {NS}><isExposed>true</isExposed></LightningComponentBundle>")
    (tmp_path / "email" / "Agents").mkdir(parents=True)
    (tmp_path / "email" / "Agents" / "Hello.email").write_text("Hi {!Contact.FirstName}")
    (tmp_path / "email" / "Agents" / "Hello.email-meta.xml").write_text(f"<EmailTemplate {NS}><type>text</type></EmailTemplate>")
    found = {(c.type, d.to_type, d.to_name) for c in iter_components(tmp_path) if isinstance(c, ParsedComponent)
             for d in iter_dependencies(c)}
    assert ("ApexPage", "ApexClass", "PropertyExt") in found
    assert ("LightningComponentBundle", "ApexClass", "PropertyController") in found
    assert ("EmailTemplate", "CustomField", "Contact.FirstName") in found
