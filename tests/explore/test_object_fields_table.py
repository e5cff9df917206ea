"""An object's page lists its fields as Salesforce Setup's Object Manager does: one row per field with
its label, API name, data type as Setup writes it, required, description, documented and where-used
count, read from dreamhouse's real metadata."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

URL = "/m/{pk}/c/CustomObject/Property__c"


def field_rows(html: str) -> dict[str, list[str]]:
    """The fields table's body as {API name: [cell texts]}."""
    table = html.split('id="fields"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = {}
    for tr in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = [" ".join(unescape(re.sub(r"<[^>]+>", " ", td)).split()) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]
        if len(cells) == 7:
            rows[cells[1]] = cells
    return rows


def test_the_object_page_shows_each_field_with_setups_columns(dreamhouse: Any, web_as: Any) -> None:
    from orgbook.orgmodels import impact
    from orgbook.orgmodels.models import Component

    r = web_as("vera").get(URL.format(pk=dreamhouse.pk))
    assert r.status_code == 200
    html = r.content.decode()
    header = html.split('id="fields"', 1)[1].split("</thead>", 1)[0]
    assert [unescape(re.sub(r"<[^>]+>", "", th)).strip().rstrip("▲▼ ").strip()
            for th in re.findall(r"<th[^>]*>(.*?)</th>", header, re.S)] == [
        "Field label", "API name", "Data type", "Required", "Description", "Documented", "Where used"]
    rows = field_rows(html)
    assert len(rows) == 25  # Property__c's fields in dreamhouse-lwc
    assert rows["Price__c"][:4] == ["Asking Price", "Price__c", "Currency(8, 0)", "No"]
    assert rows["Broker__c"][2] == "Lookup(Broker__c)"
    assert rows["Days_On_Market__c"][2] == "Formula (Number)"
    assert rows["Address__c"][2] == "Text(100)"
    assert rows["Status__c"][2] == "Picklist"
    assert rows["Description__c"][2] == "Long Text Area(500)"
    assert rows["Location__c"][2] == "Geolocation"
    assert all(row[5] == "No" for row in rows.values())  # nothing documented yet
    # Price__c is used by Apex, pages, formulas...: its count is the components its page lists as users
    price = Component.objects.get(model=dreamhouse, type="CustomField", name_key="property__c.price__c")
    users = {(e.type, e.full_name) for e in impact.used_by(price)}
    assert len(users) > 1
    assert int(rows["Price__c"][6]) == len(users)


def test_a_fields_description_and_required_flag_come_from_its_metadata(dreamhouse: Any, web_as: Any) -> None:
    from orgbook.orgmodels.models import Component

    field = Component.objects.get(model=dreamhouse, type="CustomField", name_key="property__c.city__c")
    field.attributes = {**field.attributes, "required": True, "description": "Where the property stands."}
    field.save(update_fields=["attributes"])
    dreamhouse.version += 1  # what a sync that changes a field does; the rows are cached with the version
    dreamhouse.save(update_fields=["version"])
    rows = field_rows(web_as("vera").get(URL.format(pk=dreamhouse.pk)).content.decode())
    assert rows["City__c"][3] == "Yes"
    assert rows["City__c"][4] == "Where the property stands."


def test_the_objects_other_children_are_grouped_by_type_below_the_fields(dreamhouse: Any, web_as: Any) -> None:
    html = web_as("vera").get(URL.format(pk=dreamhouse.pk)).content.decode()
    assert html.index('id="fields"') < html.index('id="children"') < html.index('id="attributes"')
    children = html.split('id="children"', 1)[1].split("</section>", 1)[0]
    assert "ListView" in children and "CustomField" not in children
    assert 'href="#fields"' in html and 'href="#children"' in html


def test_a_field_page_has_no_fields_table(dreamhouse: Any, web_as: Any) -> None:
    html = web_as("vera").get(f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c").content.decode()
    assert 'id="fields"' not in html


def test_relationship_and_roll_up_types_read_as_setup_writes_them(retail: Any, web_as: Any) -> None:
    from tests.corpus import V4S, imported

    volunteers = imported(retail, "Volunteers", "sandbox", V4S)
    client = web_as("vera")
    hours = field_rows(client.get(f"/m/{volunteers.pk}/c/CustomObject/Volunteer_Hours__c").content.decode())
    # a master-detail field is required although its metadata does not say so
    assert hours["Volunteer_Job__c"][2:4] == ["Master-Detail(Volunteer_Job__c)", "Yes"]
    assert hours["Contact__c"][2:4] == ["Master-Detail(Contact)", "Yes"]
    assert hours["Volunteer_Shift__c"][2] == "Lookup(Volunteer_Shift__c)"
    campaign = field_rows(client.get(f"/m/{volunteers.pk}/c/CustomObject/Campaign").content.decode())
    assert campaign["Number_of_Volunteers__c"][2] == "Roll-Up Summary (SUM Volunteer_Job__c)"
