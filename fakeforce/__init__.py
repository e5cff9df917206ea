"""fakeforce: a Salesforce API emulator speaking the real wire protocol on 127.0.0.1.

A test and demo double for Orgbook's Salesforce client. See README.md and
docs/salesforce-protocols.md. Never imported by product code; imports nothing from `orgbook`.

Permissions: a client checks the connected user's permissions the Salesforce way, with
`SELECT PermissionsApiEnabled, PermissionsModifyAllData, PermissionsModifyMetadata,
PermissionsAuthorApex FROM UserPermissionAccess` (one row, the calling user's effective permissions).
A user without ApiEnabled gets 403 `API_CURRENTLY_DISABLED` on REST (SOAP fault
`sf:API_CURRENTLY_DISABLED`); an org of an edition without API (Group, Essentials, Personal,
Contact Manager, Starter) or with `"api_enabled": false` gets `API_DISABLED_FOR_ORG`.
"""

from .emulator import Emulator, OrgHandle

__all__ = ["Emulator", "OrgHandle"]
