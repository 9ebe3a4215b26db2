"""A lead's data on request: a full JSON copy, and an erasure that leaves no personal value anywhere
while every metric counts exactly what it counted before."""

import datetime
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models
from django.db.models.functions import Cast
from django.utils import timezone

from cadences.models import Enrollment, EnrollmentState, Suppression, Touch
from cadences.services import cadence_enroll, reminder_create
from cadences.services.common import email_hash
from handoffs.services import handoff_accept
from leads import services as lead_services
from leads.models import ImportBatch, ImportRow, Lead
from metrics import selectors as metrics
from metrics.periods import Period
from metrics.scope import Scope
from sdrcrm.accounts.services import notification_create
from tests.cadences.factories import CadenceFactory, add_steps
from tests.handoffs.factories import hand_off

NAME = ("Zebulon", "Quixwater")
EMAIL = "zebulon.quixwater@acme-privacy.example"
PHONE = "+372 5123 4567"
STORED_PHONE = "+37251234567"
LINKEDIN = "https://www.linkedin.com/in/zebulon-quixwater"


def _lead_with_a_history(actors) -> Lead:
    """A lead that went through everything: created, edited, noted, enrolled, reminded, imported,
    handed off and accepted — so that its personal values sit in every app's tables."""
    lead = lead_services.lead_create(
        team=actors.team,
        by=actors.sdr,
        values={
            "first_name": NAME[0],
            "last_name": NAME[1],
            "email": "zq-old@acme-privacy.example",
            "phone": PHONE,
            "country": "EE",
            "title": "Head of Sales",
            "company": "Acme",
            "linkedin_url": LINKEDIN,
            "research_notes": f"{NAME[0]} {NAME[1]} spoke at the Tallinn meetup",
        },
    )
    lead = lead_services.lead_update(lead=lead, by=actors.sdr, values={"email": EMAIL})
    lead_services.activity_log(lead=lead, by=actors.sdr, kind="note", body=f"Called {NAME[0]} on {PHONE}")
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 0))
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    Touch.objects.filter(lead=lead).update(
        subject=f"Hello {NAME[0]}", body=f"Hi {NAME[0]} {NAME[1]}, {EMAIL}"
    )
    reminder_create(
        lead=lead,
        owner=actors.sdr,
        due_at=timezone.now() + datetime.timedelta(days=1),
        note=f"Ring {NAME[0]}",
    )
    batch = ImportBatch.objects.create(team=actors.team, created_by=actors.sdr, file="imports/list.csv")
    Lead.objects.filter(pk=lead.pk).update(import_batch=batch)
    ImportRow.objects.create(
        batch=batch,
        row_number=2,
        action="update",
        lead=lead,
        email=EMAIL,
        raw=[NAME[0], NAME[1], EMAIL, PHONE],
    )
    ImportRow.objects.create(batch=batch, row_number=3, action="duplicate", email=EMAIL, raw=[EMAIL])
    handoff = hand_off(lead, by=actors.sdr, ae=actors.ae, notes=f"{NAME[0]} wants a demo")
    handoff_accept(handoff=handoff, by=actors.ae, amount=Decimal("12000"))
    lead.refresh_from_db()
    return lead


def _numbers(team) -> dict:
    zone = zoneinfo.ZoneInfo("UTC")
    today = timezone.now().date()
    scope = Scope(team=team, owner=None, zone=zone)
    period = Period(
        start=today - datetime.timedelta(days=30), end=today + datetime.timedelta(days=1), zone=zone
    )
    return {
        "funnel": metrics.funnel(scope=scope, period=period),
        "leaderboard": metrics.leaderboard(scope=scope, period=period),
        "trends": metrics.weekly_trends(scope=scope, period=period),
        "decisions": metrics.ae_decisions(scope=scope, period=period),
    }


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def _rows_still_holding(value: str) -> dict[str, int]:
    """Every text column of every table, searched for `value` (JSON as its text)."""
    found = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            rows = model._default_manager.annotate(_text=Cast(field.name, models.TextField()))
            count = rows.filter(_text__icontains=value).count()
            if count:
                found[f"{model._meta.db_table}.{field.column}"] = count
    return found


def test_erasure_leaves_no_personal_value_in_any_table(actors, api_for):
    lead = _lead_with_a_history(actors)
    personal = [
        EMAIL,
        "zq-old@acme-privacy.example",
        f"{NAME[0]} {NAME[1]}",
        NAME[0],
        NAME[1],
        STORED_PHONE,
        LINKEDIN,
    ]
    assert _rows_still_holding(NAME[1])  # the sweep finds what is there

    response = api_for(actors.manager).post(
        f"/api/leads/{lead.pk}/erase/", {"reason": "Request #41"}, format="json"
    )

    assert response.status_code == 200, response.data
    assert response.data == {"lead": lead.pk, "erased": True, "suppressed": True}
    assert {value: _rows_still_holding(value) for value in personal} == {value: {} for value in personal}


def test_erasure_keeps_every_metric_identical(actors, api_for):
    lead = _lead_with_a_history(actors)
    before = _numbers(actors.team)

    api_for(actors.manager).post(f"/api/leads/{lead.pk}/erase/", {"reason": "Request #41"}, format="json")

    assert _numbers(actors.team) == before
    lead.refresh_from_db()
    assert (lead.status, lead.stage, lead.owner_id, lead.score, lead.source) == (
        "converted", "opportunity", actors.sdr.pk, lead.score, "outbound",
    )  # fmt: skip


def test_erased_person_is_suppressed_and_their_enrollment_ends(actors, api_for):
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": "Ann", "email": EMAIL}
    )
    cadence = CadenceFactory(team=actors.team)
    add_steps(cadence, ("email", 1), ("call", 2))
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)

    api_for(actors.admin).post(f"/api/leads/{lead.pk}/erase/", {"reason": "Request #42"}, format="json")

    assert Suppression.objects.filter(team=actors.team, email_hash=email_hash(EMAIL)).count() == 1
    enrollment = Enrollment.objects.get(lead=lead)
    assert (enrollment.state, enrollment.exit_reason) == (EnrollmentState.EXITED, "opted_out")
    assert not Touch.objects.filter(lead=lead, status="scheduled").exists()
    lead.refresh_from_db()
    assert (str(lead), lead.email, lead.opted_out) == ("Erased lead", "", True)


def test_erasure_drops_the_person_from_the_uploaded_list_after_commit(
    actors, api_for, django_capture_on_commit_callbacks
):
    batch = ImportBatch(team=actors.team, created_by=actors.sdr, filename="list.csv", encoding="utf-8")
    batch.file.save(
        "list.csv",
        ContentFile(f"First Name,Email\nZebulon,{EMAIL}\nMari,mari@nordlys.ee\n".encode()),
        save=False,
    )
    batch.save()
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": "Zebulon", "email": EMAIL}, import_batch=batch
    )

    with django_capture_on_commit_callbacks(execute=True):
        api_for(actors.manager).post(f"/api/leads/{lead.pk}/erase/", {"reason": "Request #45"}, format="json")

    batch.refresh_from_db()
    with batch.file.open("rb") as handle:
        assert handle.read().decode() == "First Name,Email\nMari,mari@nordlys.ee\n"


def test_erasure_leaves_a_namesake_in_another_team_alone(actors, api_for):
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": NAME[0], "last_name": NAME[1], "email": EMAIL}
    )
    namesake = notification_create(
        user=actors.other_ae, kind="system", title=f"New handoff: {NAME[0]} {NAME[1]}"
    )

    api_for(actors.manager).post(f"/api/leads/{lead.pk}/erase/", {"reason": "Request #46"}, format="json")

    namesake.refresh_from_db()
    assert namesake.title == f"New handoff: {NAME[0]} {NAME[1]}"


def test_erasing_twice_is_a_conflict_and_changes_nothing(actors, api_for):
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": "Ann", "email": EMAIL}
    )
    client = api_for(actors.manager)
    client.post(f"/api/leads/{lead.pk}/erase/", {"reason": "Request #43"}, format="json")

    again = client.post(f"/api/leads/{lead.pk}/erase/", {"reason": "Request #43"}, format="json")

    assert again.status_code == 409
    assert again.data["code"] == "already_erased"
    assert Suppression.objects.filter(team=actors.team).count() == 1


@pytest.mark.parametrize(
    ("data", "field"), [({}, "reason"), ({"reason": "   "}, "reason"), ({"reason": "x" * 301}, "reason")]
)
def test_erasure_without_a_reason_is_refused_naming_the_field(actors, api_for, data, field):
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": "Ann", "email": EMAIL}
    )

    response = api_for(actors.manager).post(f"/api/leads/{lead.pk}/erase/", data, format="json")

    assert response.status_code == 400
    assert field in json.dumps(response.data)
    lead.refresh_from_db()
    assert lead.email == EMAIL


def test_reps_may_neither_export_nor_erase(actors, api_for):
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": "Ann", "email": EMAIL}
    )

    assert api_for(actors.sdr).get(f"/api/leads/{lead.pk}/export/").status_code == 403
    assert (
        api_for(actors.sdr).post(f"/api/leads/{lead.pk}/erase/", {"reason": "r"}, format="json").status_code
        == 403
    )
    assert api_for(actors.other_manager).get(f"/api/leads/{lead.pk}/export/").status_code == 404
    lead.refresh_from_db()
    assert lead.email == EMAIL


def test_export_holds_everything_stored_about_the_lead(actors, api_for):
    lead = _lead_with_a_history(actors)

    response = api_for(actors.manager).get(f"/api/leads/{lead.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="lead-{lead.pk}.json"'
    document = json.loads(response.content)
    assert document["lead"]["email"] == EMAIL
    assert document["lead"]["phone"] == STORED_PHONE
    assert document["company"]["name"] == "Acme"
    assert document["import_source"]["file"] == "imports/list.csv"
    related = document["related"]
    assert set(related) >= {
        "leads.activity", "leads.importrow", "cadences.enrollment", "cadences.touch", "cadences.reminder",
        "handoffs.handoff", "handoffs.opportunity",
    }  # fmt: skip
    assert any(NAME[0] in activity["body"] for activity in related["leads.activity"])
    assert related["cadences.reminder"][0]["note"] == f"Ring {NAME[0]}"
    assert related["handoffs.handoff"][0]["notes"] == f"{NAME[0]} wants a demo"
    assert [row["raw"] for row in related["leads.importrow"]] == [[NAME[0], NAME[1], EMAIL, PHONE]]
    assert {event["action"] for event in document["audit"]} >= {"lead.updated"}


def test_lead_page_offers_the_data_requests_to_managers_only(actors, client):
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": "Ann", "email": EMAIL}
    )

    client.force_login(actors.manager)
    manager_page = client.get(f"/leads/{lead.pk}/").content.decode()
    client.force_login(actors.sdr)
    sdr_page = client.get(f"/leads/{lead.pk}/").content.decode()

    assert 'id="privacy-actions"' in manager_page
    assert f'action="/leads/{lead.pk}/erase/"' in manager_page
    assert "data-confirm=" in manager_page  # app.js asks before a plain form posts
    assert 'id="privacy-actions"' not in sdr_page


def test_erase_button_erases_and_the_page_shows_an_erased_lead(actors, client):
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": NAME[0], "last_name": NAME[1], "email": EMAIL}
    )
    client.force_login(actors.manager)

    response = client.post(f"/leads/{lead.pk}/erase/", {"reason": "Request #44"}, follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Erased lead" in page
    assert NAME[1] not in page and EMAIL not in page
    assert "personal data was erased" in page


def test_erase_button_without_a_reason_says_so_and_keeps_the_lead(actors, client):
    lead = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={"first_name": "Ann", "email": EMAIL}
    )
    client.force_login(actors.manager)

    response = client.post(f"/leads/{lead.pk}/erase/", {"reason": ""}, follow=True)

    assert "Say why the data is erased" in response.content.decode()
    lead.refresh_from_db()
    assert lead.email == EMAIL


def test_erasure_rewrites_the_notifications_about_this_lead_not_about_a_namesake_in_the_team(actors, api_for):
    values = {"first_name": NAME[0], "last_name": NAME[1]}
    lead = lead_services.lead_create(team=actors.team, by=actors.sdr, values={**values, "email": EMAIL})
    namesake = lead_services.lead_create(
        team=actors.team, by=actors.sdr, values={**values, "email": "another.zebulon@acme.example"}
    )
    about_lead = notification_create(
        user=actors.sdr, kind="system", title=f"Call {NAME[0]} {NAME[1]}", url=f"/leads/{lead.pk}/"
    )
    about_namesake = notification_create(
        user=actors.sdr, kind="system", title=f"Call {NAME[0]} {NAME[1]}", url=f"/leads/{namesake.pk}/"
    )

    api_for(actors.manager).post(f"/api/leads/{lead.pk}/erase/", {"reason": "Request #47"}, format="json")

    about_lead.refresh_from_db()
    about_namesake.refresh_from_db()
    assert NAME[0] not in about_lead.title
    assert about_namesake.title == f"Call {NAME[0]} {NAME[1]}"
