"""Stored reports and dashboards read as XML (their attributes, labels, content hashes and
dependencies), as the reader now reads Metadata API `.report` / `.dashboard` files."""

from typing import Any

from django.db import migrations


def forwards(apps: Any, schema_editor: Any) -> None:
    from orgbook.orgmodels.upgrades import reread_reports

    reread_reports(apps.get_model("orgmodels", "Component"), apps.get_model("orgmodels", "Dependency"))


class Migration(migrations.Migration):
    dependencies = [("orgmodels", "0008_dictionary_sort_indexes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
