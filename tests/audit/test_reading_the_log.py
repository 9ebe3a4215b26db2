"""Reading the audit log: who may, filters, cursor pages without a COUNT, and the manager page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sdrcrm.audit import services as audit
from sdrcrm.audit.models import AuditEvent

HOSTILE = '<script>alert("x")</script>'


@pytest.fixture
def log(actors):
    """Three events in the home team (oldest first) and one in the other team."""
    old = audit.record(action="lead.updated", team=actors.team, actor=actors.sdr, target_type="lead", target_id=7,
                       label=HOSTILE, changes={"title": [HOSTILE, "CEO"]})  # fmt: skip
    AuditEvent.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=10))
    audit.record(
        action="enrollment.paused", team=actors.team, actor=actors.sdr, target_type="enrollment", target_id=3
    )
    audit.record(
        action="team.updated", target=actors.team, actor=actors.manager, changes={"mql_threshold": [60, 70]}
    )
    audit.record(action="team.updated", target=actors.other_team, actor=actors.other_manager)
    return AuditEvent.objects.order_by("pk")


def _actions(response):
    return [event["action"] for event in response.data["results"]]


def test_a_manager_reads_their_team_newest_first(actors, api_for, log):
    response = api_for(actors.manager).get("/api/audit/")

    assert response.status_code == 200
    assert _actions(response) == ["team.updated", "enrollment.paused", "lead.updated"]
    assert "count" not in response.data
    newest = response.data["results"][0]
    assert newest["actor"] == {"id": actors.manager.pk, "name": "Maria Tamm"}
    assert newest["changes"] == {"mql_threshold": [60, 70]}
    assert newest["target_type"] == "team" and newest["target_id"] == actors.team.pk


def test_an_admin_reads_every_team_and_may_narrow_to_one(actors, api_for, log):
    assert len(api_for(actors.admin).get("/api/audit/").data["results"]) == 4
    one_team = api_for(actors.admin).get(f"/api/audit/?team={actors.other_team.pk}")
    assert [event["team"] for event in one_team.data["results"]] == [actors.other_team.pk]


@pytest.mark.parametrize("role", ["sdr", "bdr", "ae"])
def test_reps_and_aes_may_not_read_the_log(actors, api_for, log, role):
    assert api_for(getattr(actors, role)).get("/api/audit/").status_code == 403


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("target_type=lead&target_id=7", ["lead.updated"]),
        ("action=team.updated", ["team.updated"]),
        ("action=enrollment.", ["enrollment.paused"]),
        ("actor={sdr}", ["enrollment.paused", "lead.updated"]),
        ("since={yesterday}", ["team.updated", "enrollment.paused"]),
    ],
)
def test_filters_narrow_the_log(actors, api_for, log, query, expected):
    yesterday = (timezone.now() - datetime.timedelta(days=1)).date().isoformat()
    response = api_for(actors.manager).get(
        f"/api/audit/?{query.format(sdr=actors.sdr.pk, yesterday=yesterday)}"
    )

    assert response.status_code == 200
    assert _actions(response) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("target_id=abc", "target_id"),
        ("actor=-1", "actor"),
        ("since=yesterday", "since"),
        ("actor=99999999999999999999", "actor"),
    ],
)
def test_a_bad_filter_is_a_400_naming_it(actors, api_for, log, query, field):
    response = api_for(actors.manager).get(f"/api/audit/?{query}")

    assert response.status_code == 400
    assert list(response.data) == [field]


def test_pages_follow_a_cursor_in_a_bounded_number_of_queries(actors, api_for, log):
    client = api_for(actors.manager)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/api/audit/?page_size=2")
    second = client.get(first.data["next"])

    assert _actions(first) + _actions(second) == ["team.updated", "enrollment.paused", "lead.updated"]
    assert second.data["next"] is None
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    assert len(queries.captured_queries) <= 2


def test_the_page_shows_the_team_log_with_hostile_text_escaped(actors, client, log):
    client.force_login(actors.manager)

    page = client.get("/audit/").content.decode()

    assert "enrollment.paused" in page and "lead.updated" in page
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert 'id="audit-table"' in page and "<html" in page


def test_the_page_filters_swap_only_the_table(actors, client, log):
    client.force_login(actors.manager)

    response = client.get("/audit/?action=team.", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="audit-table"')
    assert "team.updated" in body and "enrollment.paused" not in body


def test_the_page_says_what_is_wrong_with_a_filter(actors, client, log):
    client.force_login(actors.manager)

    response = client.get("/audit/?since=soon")

    assert response.status_code == 400
    assert "Give a date" in response.content.decode()


def test_the_page_is_not_there_for_a_rep(actors, client, log):
    client.force_login(actors.sdr)

    assert client.get("/audit/").status_code == 404


def test_the_request_names_the_actor_request_id_and_address_when_a_service_does_not(
    actors, api_for, settings
):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "sdrcrm.audit.context.AuditRequestMiddleware"]

    response = api_for(actors.manager).patch(
        f"/api/teams/{actors.team.pk}/",
        {"daily_touch_goal": 80},
        format="json",
        headers={"X-Request-ID": "req-42"},
    )

    assert response.status_code == 200, response.data
    event = AuditEvent.objects.get(action="team.updated")
    assert (event.actor, event.request_id, event.ip_address, event.changes) == (
        actors.manager, "req-42", "127.0.0.1", {"daily_touch_goal": [60, 80]},
    )  # fmt: skip


def test_outside_a_request_an_event_has_no_actor(actors):
    event = audit.record(action="team.updated", target=actors.team)

    assert (event.actor, event.request_id, event.ip_address, event.target_label) == (
        None,
        "",
        None,
        "Nordlys",
    )
