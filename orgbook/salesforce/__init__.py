"""Salesforce client: OAuth, REST/Tooling API, Metadata SOAP API and the wrong-org guard.

Plain Python (requests + lxml); no Django models and no other Orgbook app is imported here.
"""

from orgbook.salesforce.client import (
    CallStats,
    Dependency,
    DependencyResult,
    Organization,
    SalesforceClient,
    SandboxProcess,
    UserPermissions,
)
from orgbook.salesforce.connect import collect_org_facts
from orgbook.salesforce.errors import (
    ApiDisabled,
    InsufficientAccess,
    OAuthError,
    RefreshTokenRevoked,
    RequestLimitExceeded,
    RetrieveFailed,
    RetrieveTimeout,
    RetrieveTooLarge,
    SalesforceError,
    SessionExpired,
    SoapFault,
    TransientError,
    TransientSoapFault,
)
from orgbook.salesforce.guard import OK, ConnectRequest, Ok, OrgFacts, Refusal, check_connect
from orgbook.salesforce.ids import same_id, to_15, to_18
from orgbook.salesforce.metadata_api import (
    Backoff,
    DescribeMetadataResult,
    FileProperties,
    ListMetadataQuery,
    MetadataApi,
    RetrieveResult,
)
from orgbook.salesforce.oauth import Identity, OAuthClient, Pkce, TokenSet

__all__ = [
    "OK",
    "ConnectRequest",
    "Ok",
    "OrgFacts",
    "Refusal",
    "check_connect",
    "collect_org_facts",
    "ApiDisabled",
    "Backoff",
    "CallStats",
    "Dependency",
    "DependencyResult",
    "DescribeMetadataResult",
    "FileProperties",
    "Identity",
    "InsufficientAccess",
    "ListMetadataQuery",
    "MetadataApi",
    "OAuthClient",
    "OAuthError",
    "Organization",
    "Pkce",
    "RefreshTokenRevoked",
    "RequestLimitExceeded",
    "RetrieveFailed",
    "RetrieveResult",
    "RetrieveTimeout",
    "RetrieveTooLarge",
    "SalesforceClient",
    "SalesforceError",
    "SandboxProcess",
    "SessionExpired",
    "SoapFault",
    "TokenSet",
    "TransientError",
    "TransientSoapFault",
    "UserPermissions",
    "same_id",
    "to_15",
    "to_18",
]
