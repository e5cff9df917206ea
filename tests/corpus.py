"""Where the tests find real Salesforce metadata: the one place that names the corpus folders.

Everything ships inside the repository (nothing beside it is read): three projects under
tests/data/corpus/ and dreamhouse-lwc, the demo's production org, inside the package. Their
sources, commits and licences are in tests/data/corpus/NOTICE and orgbook/implementations/demo_org/NOTICE.
"""

from __future__ import annotations

from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
CORPUS = REPOSITORY / "tests" / "data" / "corpus"

# The package's copy (orgbook.implementations.demo_salesforce.DEMO_ORG, which a test compares with
# this), named by path so that the emulator's tests import nothing from orgbook.
DREAMHOUSE = REPOSITORY / "orgbook" / "implementations" / "demo_org" / "dreamhouse-lwc"
PMM = CORPUS / "SalesforceFoundation__PMM"
V4S = CORPUS / "SalesforceFoundation__Volunteers-for-Salesforce"
LFC = CORPUS / "alexed1__LightningFlowComponents"

# By the corpus's folder names (owner__repository), which the facts and expected figures use.
PROJECTS: dict[str, Path] = {
    "trailheadapps__dreamhouse-lwc": DREAMHOUSE,
    "SalesforceFoundation__PMM": PMM,
    "SalesforceFoundation__Volunteers-for-Salesforce": V4S,
    "alexed1__LightningFlowComponents": LFC,
}


def project(name: str) -> Path:
    """A corpus project's folder by its name; a KeyError names the projects there are."""
    try:
        return PROJECTS[name]
    except KeyError:
        raise KeyError(f"no corpus project {name!r}; there are {sorted(PROJECTS)}") from None
