"""Charts of percentage measures now read in percent: drop the cached drawings so that every
chart is drawn again on its next read (the cache holds nothing that cannot be recomputed)."""

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps


def cached_charts_drop(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    apps.get_model("improvement", "MeasureChart").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("improvement", "0002_workspace")]

    operations = [migrations.RunPython(cached_charts_drop, migrations.RunPython.noop)]
