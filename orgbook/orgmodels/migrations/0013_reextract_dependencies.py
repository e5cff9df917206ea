"""Orgbook's own edges of flows, custom metadata records and the Agentforce, OmniStudio and
Experience Cloud types worked out again (issue 14): no invented edges, the new kinds present.
A re-import skips unchanged files, so without this stored models would keep the old edges."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from orgbook.orgmodels.upgrades import reextract_dependencies

    reextract_dependencies(apps.get_model("orgmodels", "Component"), apps.get_model("orgmodels", "Dependency"),
                           apps.get_model("orgmodels", "OrgModel"))


class Migration(migrations.Migration):
    dependencies = [("orgmodels", "0012_sync_recovery")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
