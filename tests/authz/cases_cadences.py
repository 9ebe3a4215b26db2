"""Cadences, enrollments, touches, the queue, reminders, reassignment and the machine endpoints."""

import datetime

from django.utils import timezone

from cadences.models import Cadence, Enrollment, Reminder, Step, Touch
from cadences.services import cadence_enroll, enrollment_pause
from cadences.unsubscribe_links import token_for
from leads.models import Lead
from sdrcrm.accounts.services import team_rotate_api_key
from tests.authz.matrix import Case, by_role, same_for_all

MEMBERS_ONLY = {"other_sdr": 404, "other_ae": 404, "other_manager": 404}


def build(world):
    team = world.team
    cadence = Cadence.objects.create(team=team, name="Outbound")
    Step.objects.create(cadence=cadence, position=1, channel="call", wait_days=0)
    Step.objects.create(cadence=cadence, position=2, channel="email", wait_days=2, subject="Hi", body="Hello")
    manual = Cadence.objects.create(team=team, name="Manual")
    Step.objects.create(
        cadence=manual, position=1, channel="manual_email", subject="Hi {{first_name}}", body="B"
    )
    leads = [
        Lead.objects.create(team=team, owner=world.sdr, first_name=f"L{i}", email=f"l{i}@acme.example")
        for i in range(4)
    ]
    spare = Lead.objects.create(team=team, owner=world.sdr, first_name="Spare", email="spare@acme.example")
    cadence_enroll(cadence=cadence, lead_ids=[leads[0].pk, leads[1].pk], by=world.sdr)
    cadence_enroll(cadence=manual, lead_ids=[leads[2].pk], by=world.sdr)
    paused = Enrollment.objects.get(lead=leads[1])
    enrollment_pause(enrollment=paused, by=world.sdr)
    world.objects.update(
        cadence=cadence,
        lead=leads[0],
        spare=spare,
        enrollment=Enrollment.objects.get(lead=leads[0]),
        paused=paused,
        touch=Touch.objects.get(lead=leads[0]),
        manual_touch=Touch.objects.get(lead=leads[2]),
        unknown_touch=_unknown_touch(team, world, leads[3], cadence),
        reminder=Reminder.objects.create(
            team=team, lead=leads[0], owner=world.sdr, due_at=timezone.now() + datetime.timedelta(hours=1)
        ),
        api_key=team_rotate_api_key(team=team),
    )


def _unknown_touch(team, world, lead, cadence):
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=world.sdr)
    touch = Touch.objects.get(lead=lead)
    Touch.objects.filter(pk=touch.pk).update(status="unknown", send_started_at=timezone.now())
    return touch


def key(w):
    return {"X-Api-Key": w.api_key}


WORKERS = {"sdr": 200, "bdr": 404, "ae": 404, "manager": 200, "admin": 200, **MEMBERS_ONLY}
KEY_ONLY = {"anonymous": 401, "sdr": 403, "bdr": 403, "ae": 403, "manager": 403, "admin": 403,
            "other_sdr": 403, "other_ae": 403, "other_manager": 403}  # fmt: skip


def with_anonymous(expect: dict, status: int) -> dict:
    return {**expect, "anonymous": status}


CASES = [
    Case("cadence list", "get", lambda w: "/api/cadences/", by_role(sdr=200, ae=200, manager=200, admin=200)),
    Case(
        "cadence create",
        "post",
        lambda w: "/api/cadences/",
        by_role(sdr=201, ae=403, manager=201, admin=201),
        data=lambda w: {"name": "New", "team": w.team.id, "steps": [{"channel": "call", "wait_days": 0}]},
    ),
    Case(
        "cadence detail",
        "get",
        lambda w: f"/api/cadences/{w.cadence.id}/",
        by_role(sdr=200, ae=200, manager=200, admin=200, **MEMBERS_ONLY),
    ),
    Case(
        "cadence update",
        "patch",
        lambda w: f"/api/cadences/{w.cadence.id}/",
        by_role(sdr=200, ae=403, manager=200, admin=200, **MEMBERS_ONLY),
        data=lambda w: {"name": "Outbound v2"},
    ),
    Case(
        "cadence enroll",
        "post",
        lambda w: f"/api/cadences/{w.cadence.id}/enroll/",
        by_role(sdr=200, ae=403, manager=200, admin=200, **MEMBERS_ONLY),
        data=lambda w: {"leads": [w.spare.id]},
    ),
    Case(
        "cadence report",
        "get",
        lambda w: f"/api/cadences/{w.cadence.id}/report/",
        by_role(sdr=200, ae=200, manager=200, admin=200, **MEMBERS_ONLY),
    ),
    Case(
        "enrollment list",
        "get",
        lambda w: "/api/enrollments/",
        by_role(sdr=200, ae=200, manager=200, admin=200),
    ),
    Case(
        "enrollment pause",
        "post",
        lambda w: f"/api/enrollments/{w.enrollment.id}/pause/",
        by_role(**{k: v for k, v in WORKERS.items() if k != "bdr"}, bdr=404),
    ),
    Case(
        "enrollment resume",
        "post",
        lambda w: f"/api/enrollments/{w.paused.id}/resume/",
        by_role(**{k: v for k, v in WORKERS.items() if k != "bdr"}, bdr=404),
    ),
    Case(
        "enrollment exit",
        "post",
        lambda w: f"/api/enrollments/{w.enrollment.id}/exit/",
        by_role(**{k: v for k, v in WORKERS.items() if k != "bdr"}, bdr=404),
        data=lambda w: {"reason": "manual"},
    ),
    Case("touch list", "get", lambda w: "/api/touches/", by_role(sdr=200, ae=200, manager=200, admin=200)),
    Case(
        "touch complete",
        "post",
        lambda w: f"/api/touches/{w.touch.id}/complete/",
        by_role(**{k: v for k, v in WORKERS.items() if k != "bdr"}, bdr=404),
        data=lambda w: {"outcome": "connected"},
    ),
    Case(
        "touch skip",
        "post",
        lambda w: f"/api/touches/{w.touch.id}/skip/",
        by_role(**{k: v for k, v in WORKERS.items() if k != "bdr"}, bdr=404),
    ),
    Case(
        "touch reschedule",
        "post",
        lambda w: f"/api/touches/{w.touch.id}/reschedule/",
        by_role(**{k: v for k, v in WORKERS.items() if k != "bdr"}, bdr=404),
        data=lambda w: {"due_at": "2030-01-07T09:00:00+02:00"},
    ),
    Case(
        "touch send (manual email)",
        "post",
        lambda w: f"/api/touches/{w.manual_touch.id}/send/",
        by_role(**{k: v for k, v in WORKERS.items() if k != "bdr"}, bdr=404),
        data=lambda w: {"subject": "Hi", "body": "Edited text"},
    ),
    Case(
        "touch resolve (unknown send)",
        "post",
        lambda w: f"/api/touches/{w.unknown_touch.id}/resolve/",
        by_role(sdr=403, bdr=404, ae=404, manager=200, admin=200, **MEMBERS_ONLY),
        data=lambda w: {"sent": True},
    ),
    Case("queue", "get", lambda w: "/api/queue/", by_role(sdr=200, ae=200, manager=200, admin=200)),
    Case(
        "reminder list", "get", lambda w: "/api/reminders/", by_role(sdr=200, ae=200, manager=200, admin=200)
    ),
    Case(
        "reminder create",
        "post",
        lambda w: "/api/reminders/",
        by_role(sdr=201, bdr=404, ae=404, manager=201, admin=201, **MEMBERS_ONLY),
        data=lambda w: {"lead": w.lead.id, "due_at": "2030-01-07T09:00:00Z", "note": "Call back"},
    ),
    Case(
        "reminder done",
        "post",
        lambda w: f"/api/reminders/{w.reminder.id}/done/",
        by_role(sdr=200, bdr=404, ae=404, manager=200, admin=200, **MEMBERS_ONLY),
    ),
    Case(
        "user reassign",
        "post",
        lambda w: f"/api/users/{w.sdr.id}/reassign/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_manager=404),
        data=lambda w: {"to": w.bdr.id},
    ),
    Case(
        "sending policy",
        "get",
        lambda w: f"/api/teams/{w.team.id}/sending-policy/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_manager=404),
    ),
    Case(
        "sending policy update",
        "patch",
        lambda w: f"/api/teams/{w.team.id}/sending-policy/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_manager=404),
        data=lambda w: {
            "daily_send_cap": 120,
            "account_touch_cap": 5,
            "default_inbound_cadence": w.cadence.id,
        },
    ),
    # Machine endpoints: only the team's key opens them (a signed-in person is not a key).
    Case(
        "inbound lead without key",
        "post",
        lambda w: "/api/inbound/leads/",
        KEY_ONLY,
        data=lambda w: {"email": "new@form.example"},
    ),
    Case(
        "inbound lead with key",
        "post",
        lambda w: "/api/inbound/leads/",
        with_anonymous(KEY_ONLY, 201),
        data=lambda w: {"email": "new@form.example", "first_name": "Nora"},
        headers=key,
    ),
    Case(
        "email event without key",
        "post",
        lambda w: "/api/email-events/",
        KEY_ONLY,
        data=lambda w: {"type": "reply", "email": w.lead.email},
    ),
    Case(
        "email event with key",
        "post",
        lambda w: "/api/email-events/",
        with_anonymous(KEY_ONLY, 201),
        data=lambda w: {"type": "reply", "email": w.lead.email},
        headers=key,
    ),
    Case(  # the recipient's page: public, the signed link is the permission; asking changes nothing
        "unsubscribe page", "get", lambda w: f"/unsubscribe/{token_for(w.touch.pk)}/", same_for_all(200)
    ),
    Case(
        "unsubscribe page, forged link",
        "get",
        lambda w: f"/unsubscribe/{w.touch.pk}:forged/",
        same_for_all(404),
    ),
]
