"""A touch is updated three times on its way out (claimed, started, done), each time in every index: the
single-column foreign-key indexes that a composite index (or the once-per-step constraint) already starts
with go, and so does the pattern index of the unique message_id (nothing searches it by prefix); the
enrollment's cadence index too (enrollment_cadence_state_idx starts with it). Dropped concurrently; the
foreign keys themselves are left alone (the state-only AlterField)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from sdrcrm.core.migration_operations import drop_indexes_online

MESSAGE_ID_LIKE_INDEX = "cadences_touch_message_id_27bb1cff_like"


def drop_message_id_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {MESSAGE_ID_LIKE_INDEX}")


def create_message_id_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {MESSAGE_ID_LIKE_INDEX} "
            "ON cadences_touch (message_id varchar_pattern_ops)"
        )


def _foreign_key(to, on_delete, related_name, **options):
    return models.ForeignKey(db_index=False, on_delete=on_delete, related_name=related_name, to=to, **options)


class Migration(migrations.Migration):
    atomic = False  # the indexes are dropped concurrently on PostgreSQL

    dependencies = [
        ("accounts", "0003_notification_unread_index"),
        ("cadences", "0003_rep_send_day_and_email_due_index"),
        ("leads", "0010_activity_composite_indexes_only"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="enrollment",
                    name="cadence",
                    field=_foreign_key("cadences.cadence", django.db.models.deletion.PROTECT, "enrollments"),
                ),
                migrations.AlterField(
                    model_name="touch",
                    name="enrollment",
                    field=_foreign_key("cadences.enrollment", django.db.models.deletion.CASCADE, "touches"),
                ),
                migrations.AlterField(
                    model_name="touch",
                    name="lead",
                    field=_foreign_key("leads.lead", django.db.models.deletion.CASCADE, "touches"),
                ),
                migrations.AlterField(
                    model_name="touch",
                    name="owner",
                    field=_foreign_key(
                        settings.AUTH_USER_MODEL, django.db.models.deletion.SET_NULL, "touches", blank=True, null=True
                    ),
                ),
                migrations.AlterField(
                    model_name="touch",
                    name="team",
                    field=_foreign_key("accounts.team", django.db.models.deletion.CASCADE, "+"),
                ),
            ],
            database_operations=[
                drop_indexes_online(
                    ("cadences_enrollment_cadence_id_6c49ab01", "cadences_enrollment", "cadence_id"),
                    ("cadences_touch_enrollment_id_22454700", "cadences_touch", "enrollment_id"),
                    ("cadences_touch_lead_id_2ac7ff36", "cadences_touch", "lead_id"),
                    ("cadences_touch_owner_id_0375bc55", "cadences_touch", "owner_id"),
                    ("cadences_touch_team_id_d3efd302", "cadences_touch", "team_id"),
                ),
            ],
        ),
        migrations.RunPython(drop_message_id_like_index, create_message_id_like_index, elidable=False),
    ]
