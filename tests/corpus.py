"""Where the tests find real Salesforce metadata: the one place that names the corpus folders.

Everything ships inside the repository (nothing beside it is read): eight projects under
tests/data/corpus/ and dreamhouse-lwc, the demo's production org, inside the package. Their
sources, commits and licences are in tests/data/corpus/NOTICE and orgbook/implementations/demo_org/NOTICE.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

REPOSITORY = Path(__file__).resolve().parents[1]
CORPUS = REPOSITORY / "tests" / "data" / "corpus"

# The package's copy (orgbook.implementations.demo_salesforce.DEMO_ORG, which a test compares with
# this), named by path so that the emulator's tests import nothing from orgbook.
DREAMHOUSE = REPOSITORY / "orgbook" / "implementations" / "demo_org" / "dreamhouse-lwc"
PMM = CORPUS / "SalesforceFoundation__PMM"
V4S = CORPUS / "SalesforceFoundation__Volunteers-for-Salesforce"
LFC = CORPUS / "alexed1__LightningFlowComponents"
RETAIL = CORPUS / "salesforce-misc__Data360AgentforceSolutionKitRetail"
AUTOMOTIVE = CORPUS / "salesforce-misc__DataCloudAndAgentForceForAutomotive"
INNOHUB = CORPUS / "SalesforceLabs__InnovationHubCoDevelopment"
EDA = CORPUS / "SalesforceFoundation__EDA"
OMNISTUDIO = CORPUS / "SFDC-Assets__omnistudio-demo"

# By the corpus's folder names (owner__repository), which the facts and expected figures use.
PROJECTS: dict[str, Path] = {
    "trailheadapps__dreamhouse-lwc": DREAMHOUSE,
    "SalesforceFoundation__PMM": PMM,
    "SalesforceFoundation__Volunteers-for-Salesforce": V4S,
    "alexed1__LightningFlowComponents": LFC,
    "salesforce-misc__Data360AgentforceSolutionKitRetail": RETAIL,
    "salesforce-misc__DataCloudAndAgentForceForAutomotive": AUTOMOTIVE,
    "SalesforceLabs__InnovationHubCoDevelopment": INNOHUB,
    "SalesforceFoundation__EDA": EDA,
    "SFDC-Assets__omnistudio-demo": OMNISTUDIO,
}


def project(name: str) -> Path:
    """A corpus project's folder by its name; a KeyError names the projects there are."""
    try:
        return PROJECTS[name]
    except KeyError:
        raise KeyError(f"no corpus project {name!r}; there are {sorted(PROJECTS)}") from None


def imported(implementation: Any, name: str, kind: str, folder: Path) -> Any:
    """A new model `name` of `kind` in the implementation, holding the project in `folder`."""
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    model = model_for_import(implementation, name, kind)
    import_path(model, folder)
    return model
