"""Metadata the sync tests write into the emulator's dreamhouse org."""

# Property__c.Price__c after an admin's change: precision 8 -> 10, scale 0 -> 2.
PRICE = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Price__c</fullName>
    <label>Asking Price</label>
    <precision>10</precision>
    <scale>2</scale>
    <type>Currency</type>
</CustomField>
"""
