"""Timeline rows are written for every touch: the single-column foreign-key indexes go, since the
composite indexes (lead, created_at), (team, kind, created_at) and (actor, created_at) start with them.
Dropped concurrently; the foreign keys themselves are left alone (the state-only AlterField)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from sdrcrm.core.migration_operations import drop_indexes_online


class Migration(migrations.Migration):
    atomic = False  # the indexes are dropped concurrently on PostgreSQL

    dependencies = [
        ("accounts", "0003_notification_unread_index"),
        ("leads", "0009_lead_recent_index_with_id"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="activity",
                    name="actor",
                    field=models.ForeignKey(
                        blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL,
                        related_name="activities", to=settings.AUTH_USER_MODEL,
                    ),
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="lead",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="activities",
                        to="leads.lead",
                    ),
                ),
                migrations.AlterField(
                    model_name="activity",
                    name="team",
                    field=models.ForeignKey(
                        db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name="+",
                        to="accounts.team",
                    ),
                ),
            ],
            database_operations=[
                drop_indexes_online(
                    ("leads_activity_actor_id_5a5e11a5", "leads_activity", "actor_id"),
                    ("leads_activity_lead_id_9cc33a14", "leads_activity", "lead_id"),
                    ("leads_activity_team_id_fd9e1ae3", "leads_activity", "team_id"),
                ),
            ],
        ),
    ]
