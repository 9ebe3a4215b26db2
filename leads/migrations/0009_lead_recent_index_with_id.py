"""Newest-first lists read the lead's id from the index too: the leads of one import share their creation
time, so an index on (team, created_at) alone made the default list read a whole chunk of them (2,500 rows)
to sort the 50 it shows. The new index is built online before the old one goes."""

from django.db import migrations, models

from sdrcrm.core.migration_operations import AddIndexOnline


class Migration(migrations.Migration):
    atomic = False  # the index is built concurrently on PostgreSQL

    dependencies = [
        ("leads", "0008_drop_team_status_index"),
    ]

    operations = [
        AddIndexOnline(
            model_name="lead",
            index=models.Index(fields=["team", "-created_at", "-id"], name="lead_team_recent_id_idx"),
        ),
        migrations.RemoveIndex(model_name="lead", name="lead_team_recent_idx"),
    ]
