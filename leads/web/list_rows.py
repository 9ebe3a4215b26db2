"""The lead list's table rows, prepared once per page in Python: the labels of each choice are
translated once, not once per cell, and each row is a plain dict the template only prints."""

from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from leads.models import LeadSource, LeadStage, LeadStatus

# The columns the table shows (and the owner's name): all the list reads from each lead.
ROW_FIELDS = (
    "id", "first_name", "last_name", "title", "email", "email_kind", "company", "country", "score",
    "grade", "status", "stage", "source", "created_at", "owner__first_name", "owner__last_name",
    "owner__username",
)  # fmt: skip
_ID_SLOT = 987654321


def lead_rows(leads) -> list[dict]:
    statuses = {value: str(label) for value, label in LeadStatus.choices}
    stages = {value: str(label) for value, label in LeadStage.choices}
    sources = {value: str(label) for value, label in LeadSource.choices}
    detail_url = reverse("lead-detail", args=[_ID_SLOT]).replace(str(_ID_SLOT), "{}")
    no_name = _("(no name)")
    select_label = _("Select %(name)s")
    zone = timezone.get_current_timezone()
    rows = []
    for lead in leads:
        name = lead.full_name or lead.email or no_name
        created_at = lead.created_at.astimezone(zone)
        rows.append(
            {
                "id": lead.pk,
                "url": detail_url.format(lead.pk),
                "name": name,
                "select_label": select_label % {"name": name},
                "title": lead.title,
                "email": lead.email,
                "free_mail": lead.email_kind == "free",
                "company": lead.company,
                "country": lead.country,
                "score": lead.score,
                "grade": lead.grade,
                "status": lead.status,
                "status_label": statuses.get(lead.status, lead.status),
                "stage": lead.stage,
                "stage_label": stages.get(lead.stage, lead.stage),
                "source_label": sources.get(lead.source, lead.source),
                "owner_name": lead.owner.display_name if lead.owner_id else "",
                "created_iso": created_at.isoformat(),
                "created_day": dateformat.format(created_at, "j M Y"),
            }
        )
    return rows
