"""Components whose names the reader of issue 14 changed get their new names in stored models: a
bot's version `v1` becomes `Bot.v1`, an Experience bundle `X` becomes `site/X` (derived from the
stored source path; orgbook/orgmodels/upgrades.py). Without this, the next import would remove
the old component and add the new one, and the documentation written on the old name would be
left on a name no model holds. Safe to run twice: a renamed row matches no rule again."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from orgbook.orgmodels.upgrades import rename_components

    rename_components(apps.get_model("orgmodels", "Component"), apps.get_model("orgmodels", "Dependency"),
                      apps.get_model("orgmodels", "OrgModel"), apps.get_model("documentation", "Documentation"),
                      apps.get_model("documentation", "Revision"))


class Migration(migrations.Migration):
    dependencies = [("orgmodels", "0014_import_report"), ("documentation", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
