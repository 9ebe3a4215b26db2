"""A touch is updated three times on its way out (claimed, started, done), each time in every index: the
single-column foreign-key indexes that a composite index (or the once-per-step constraint) already starts
with go, and so does the pattern index of the unique message_id (nothing searches it by prefix)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MESSAGE_ID_LIKE_INDEX = "cadences_touch_message_id_27bb1cff_like"


def drop_message_id_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {MESSAGE_ID_LIKE_INDEX}")


def create_message_id_like_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {MESSAGE_ID_LIKE_INDEX} "
            "ON cadences_touch (message_id varchar_pattern_ops)"
        )


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_notification_unread_index'),
        ('cadences', '0003_rep_send_day_and_email_due_index'),
        ('leads', '0010_activity_composite_indexes_only'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='enrollment',
            name='cadence',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='enrollments', to='cadences.cadence'),
        ),
        migrations.AlterField(
            model_name='touch',
            name='enrollment',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='touches', to='cadences.enrollment'),
        ),
        migrations.AlterField(
            model_name='touch',
            name='lead',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='touches', to='leads.lead'),
        ),
        migrations.AlterField(
            model_name='touch',
            name='owner',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='touches', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='touch',
            name='team',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='accounts.team'),
        ),
        migrations.RunPython(drop_message_id_like_index, create_message_id_like_index),
    ]
