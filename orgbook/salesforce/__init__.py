"""Salesforce client: OAuth, REST/Tooling API, Metadata SOAP API and the wrong-org guard.

Plain Python (requests + lxml); no Django models and no other Orgbook app is imported here.
Callers import the module they use (`orgbook.salesforce.client`, `.metadata_api`, `.oauth`,
`.guard`, `.errors`, ...): the package re-exports nothing, so no second list of names has to be
kept in step with them.
"""
