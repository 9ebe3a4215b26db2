import pytest
from django.utils import timezone

from leads import services
from leads.models import Activity, Company, IcpProfile, Lead
from sdrcrm.core.errors import Conflict, NotAllowed, ValidationFailed
from tests.leads.factories import IcpProfileFactory, LeadFactory

pytestmark = pytest.mark.django_db


def create(actors, by=None, **values):
    return services.lead_create(team=actors.team, by=by or actors.sdr, values=values)


def test_create_normalises_email_phone_country_and_timezone(actors):
    lead = create(
        actors, email="  Mari.Tamm@Nordlys.EE ", phone="5123 4567", country="ee", first_name=" Mari "
    )
    assert lead.email == "mari.tamm@nordlys.ee"
    assert lead.phone == "+37251234567"
    assert lead.country == "EE"
    assert lead.timezone == "Europe/Tallinn"
    assert lead.first_name == "Mari"
    assert lead.email_kind == "corporate"
    assert lead.company_domain == "nordlys.ee"


def test_email_kind_uses_the_free_mail_list(actors):
    assert create(actors, email="someone@gmail.com").email_kind == "free"
    assert create(actors, email="kim@naver.com").email_kind == "free"
    assert create(actors, email="ivan@mail.ru").email_kind == "free"
    assert create(actors, email="li@qq.com").email_kind == "free"
    assert create(actors, email="").email_kind == "none"


def test_sdr_owns_what_they_create_a_manager_creates_unowned(actors):
    assert create(actors, email="a@x.ee").owner == actors.sdr
    assert create(actors, by=actors.manager, email="b@x.ee").owner is None
    assert create(actors, by=actors.manager, email="c@x.ee", owner=actors.bdr).owner == actors.bdr


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("email", "not-an-email"),
        ("country", "Estonia"),
        ("timezone", "Europe/Atlantis"),
        ("source", "cold"),
        ("phone", "12"),
        ("linkedin_url", "not a url"),
        ("employee_count", "many"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(actors, field, value):
    with pytest.raises(ValidationFailed) as error:
        create(actors, **{"email": "ok@x.ee", field: value})
    assert error.value.field == field
    assert Lead.objects.count() == 0 and Activity.objects.count() == 0


def test_duplicate_email_in_team_is_a_conflict_naming_the_first(actors):
    first = create(actors, email="dup@x.ee")
    with pytest.raises(Conflict) as error:
        create(actors, by=actors.manager, email=" DUP@x.ee")
    assert error.value.extra == {"duplicate_of": first.pk}
    assert Lead.objects.count() == 1


def test_the_same_email_may_live_in_another_team(actors):
    create(actors, email="dup@x.ee")
    other = services.lead_create(team=actors.other_team, by=actors.other_sdr, values={"email": "dup@x.ee"})
    assert other.pk


def test_ae_may_not_create_leads(actors):
    with pytest.raises(NotAllowed):
        create(actors, by=actors.ae, email="a@x.ee")
    assert Lead.objects.count() == 0


def test_owner_must_belong_to_the_team(actors):
    with pytest.raises(ValidationFailed) as error:
        create(actors, by=actors.manager, email="a@x.ee", owner=actors.other_sdr)
    assert error.value.field == "owner"
    with pytest.raises(ValidationFailed):
        create(actors, by=actors.manager, email="a@x.ee", owner=actors.ae)
    assert Lead.objects.count() == 0


def test_create_records_a_timeline_row_and_keeps_the_company_in_sync(actors):
    lead = create(actors, email="a@nordlys.ee", company="Nordlys OÜ", industry="Software", employee_count=80)
    assert list(lead.activities.values_list("kind", "actor")) == [("system", actors.sdr.pk)]
    company = Company.objects.get()
    assert (company.domain, company.name, company.industry, company.employee_count) == (
        "nordlys.ee",
        "Nordlys OÜ",
        "Software",
        80,
    )
    second = create(actors, email="b@nordlys.ee")
    assert second.account_id == company.pk
    assert Company.objects.count() == 1


def test_create_scores_against_the_active_icp_and_becomes_mql_at_the_threshold(actors):
    IcpProfileFactory(team=actors.team)
    lead = create(actors, email="a@x.ee", industry="Software", employee_count=100, country="EE", title="CEO")
    assert (lead.score, lead.grade) == (75, "B")
    assert lead.stage == "mql" and lead.mql_at is not None
    assert lead.activities.filter(kind="stage").count() == 1
    low = create(actors, email="b@x.ee", industry="Retail")
    assert (low.score, low.stage, low.mql_at) == (0, "lead", None)


def test_patch_rescores_and_mql_at_is_set_once(actors):
    IcpProfileFactory(team=actors.team)
    lead = create(actors, email="a@x.ee", industry="Retail")
    services.lead_update(
        lead=lead, by=actors.sdr, values={"industry": "Software", "country": "EE", "employee_count": 60}
    )
    lead.refresh_from_db()
    assert lead.score == 75 and lead.stage == "mql"
    first_mql_at = lead.mql_at
    services.lead_update(lead=lead, by=actors.sdr, values={"industry": "Retail"})
    services.lead_update(lead=lead, by=actors.sdr, values={"industry": "Fintech"})
    lead.refresh_from_db()
    assert lead.mql_at == first_mql_at
    assert lead.activities.filter(kind="stage").count() == 1


def test_patch_records_what_changed(actors):
    lead = create(actors, email="a@x.ee")
    services.lead_update(lead=lead, by=actors.sdr, values={"budget": "€20k", "need": "Pipeline visibility"})
    row = lead.activities.filter(data__event="updated").get()
    assert row.data["changes"] == {"budget": ["", "€20k"], "need": ["", "Pipeline visibility"]}


def test_patch_to_an_existing_email_is_a_conflict_and_changes_nothing(actors):
    first = create(actors, email="a@x.ee")
    second = create(actors, email="b@x.ee")
    with pytest.raises(Conflict) as error:
        services.lead_update(lead=second, by=actors.sdr, values={"email": "A@x.ee", "title": "CEO"})
    assert error.value.extra["duplicate_of"] == first.pk
    second.refresh_from_db()
    assert (second.email, second.title) == ("b@x.ee", "")


def test_only_a_manager_reassigns(actors):
    lead = create(actors, email="a@x.ee")
    with pytest.raises(NotAllowed):
        services.lead_update(lead=lead, by=actors.sdr, values={"owner": actors.bdr})
    services.lead_update(lead=lead, by=actors.manager, values={"owner": actors.bdr})
    lead.refresh_from_db()
    assert lead.owner == actors.bdr


def test_another_sdrs_lead_is_not_editable(actors):
    lead = LeadFactory(team=actors.team, owner=actors.bdr)
    with pytest.raises(NotAllowed):
        services.lead_update(lead=lead, by=actors.sdr, values={"title": "CEO"})


def test_claim_takes_an_unowned_lead_once(actors):
    lead = LeadFactory(team=actors.team, owner=None)
    services.lead_claim(lead=lead, by=actors.sdr)
    lead.refresh_from_db()
    assert lead.owner == actors.sdr
    assert lead.activities.filter(data__event="claimed").count() == 1
    services.lead_claim(lead=lead, by=actors.sdr)  # again: no-op
    assert lead.activities.filter(data__event="claimed").count() == 1


def test_claiming_someone_elses_lead_is_a_conflict(actors):
    lead = LeadFactory(team=actors.team, owner=actors.bdr)
    with pytest.raises(Conflict):
        services.lead_claim(lead=lead, by=actors.sdr)
    lead.refresh_from_db()
    assert lead.owner == actors.bdr and lead.activities.count() == 0


def test_only_prospectors_claim(actors):
    lead = LeadFactory(team=actors.team, owner=None)
    for user in (actors.manager, actors.ae, actors.admin, actors.other_sdr):
        with pytest.raises(NotAllowed):
            services.lead_claim(lead=lead, by=user)
    lead.refresh_from_db()
    assert lead.owner is None


def test_disqualify_needs_a_reason_and_records_it(actors):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    with pytest.raises(ValidationFailed) as error:
        services.lead_disqualify(lead=lead, by=actors.sdr, reason="  ")
    assert error.value.field == "reason"
    lead.refresh_from_db()
    assert lead.status == "new" and lead.activities.count() == 0
    services.lead_disqualify(lead=lead, by=actors.sdr, reason="No budget this year")
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "No budget this year")
    row = lead.activities.get(kind="status")
    assert row.data == {"from": "new", "to": "disqualified"} and row.actor == actors.sdr
    with pytest.raises(Conflict):
        services.lead_disqualify(lead=lead, by=actors.sdr, reason="again")


def test_handed_off_leads_cannot_be_disqualified_or_nurtured(actors):
    lead = LeadFactory(team=actors.team, owner=actors.sdr, status="handed_off")
    with pytest.raises(Conflict):
        services.lead_disqualify(lead=lead, by=actors.sdr, reason="x")
    with pytest.raises(Conflict):
        services.lead_nurture(lead=lead, by=actors.sdr)
    lead.refresh_from_db()
    assert lead.status == "handed_off" and lead.activities.count() == 0


def test_nurture_sets_the_status_and_clears_a_disqualify_reason(actors):
    lead = LeadFactory(
        team=actors.team, owner=actors.sdr, status="disqualified", disqualify_reason="bad timing"
    )
    services.lead_nurture(lead=lead, by=actors.sdr)
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("nurture", "")
    with pytest.raises(Conflict):
        services.lead_nurture(lead=lead, by=actors.sdr)


def test_parking_a_lead_calls_the_registered_hooks(actors, monkeypatch):
    calls = []
    monkeypatch.setattr(services, "LEAD_PARKED_HOOKS", [lambda **kw: calls.append(kw["reason"])])
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    services.lead_nurture(lead=lead, by=actors.sdr)
    services.lead_disqualify(lead=lead, by=actors.sdr, reason="no fit")
    assert calls == ["nurture", "disqualified"]


def test_another_sdrs_lead_cannot_be_parked_by_an_sdr(actors):
    lead = LeadFactory(team=actors.team, owner=actors.bdr)
    with pytest.raises(NotAllowed):
        services.lead_nurture(lead=lead, by=actors.sdr)
    services.lead_nurture(lead=lead, by=actors.manager)


def test_first_touch_starts_the_clock_once(actors):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    services.activity_log(lead=lead, by=actors.sdr, kind="note", body="Researched")
    lead.refresh_from_db()
    assert lead.first_touch_at is None and lead.status == "new"
    services.activity_log(lead=lead, by=actors.sdr, kind="call", outcome="no_answer")
    lead.refresh_from_db()
    first = lead.first_touch_at
    assert first is not None and lead.status == "working"
    services.activity_log(lead=lead, by=actors.sdr, kind="email", outcome="sent")
    lead.refresh_from_db()
    assert lead.first_touch_at == first


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "fax"}, "kind"),
        ({"kind": "call", "outcome": "maybe"}, "outcome"),
        ({"kind": "note"}, "body"),
        ({"kind": "email", "outcome": "wrong_number"}, "outcome"),
        ({"kind": "call", "outcome": "sent"}, "outcome"),
        ({"kind": "note", "outcome": "connected", "body": "x"}, "outcome"),
    ],
)
def test_bad_activities_are_refused(actors, values, field):
    lead = LeadFactory(team=actors.team)
    with pytest.raises(ValidationFailed) as error:
        services.activity_log(lead=lead, by=actors.sdr, **values)
    assert error.value.field == field
    assert lead.activities.count() == 0


def test_only_managers_delete(actors):
    lead = LeadFactory(team=actors.team, owner=actors.sdr)
    with pytest.raises(NotAllowed):
        services.lead_delete(lead=lead, by=actors.sdr)
    services.lead_delete(lead=lead, by=actors.manager)
    assert not Lead.objects.exists()


# ICP profiles


def test_one_active_profile_per_team(actors, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = services.icp_profile_create(
            team=actors.team, by=actors.manager, values={"name": "A", "is_active": True}
        )
        second = services.icp_profile_create(
            team=actors.team, by=actors.manager, values={"name": "B", "is_active": True}
        )
    first.refresh_from_db()
    assert (first.is_active, second.is_active) == (False, True)
    assert IcpProfile.objects.filter(team=actors.team, is_active=True).count() == 1


def test_the_database_refuses_two_active_profiles(actors):
    from django.db import IntegrityError

    IcpProfileFactory(team=actors.team)
    with pytest.raises(IntegrityError):
        IcpProfileFactory(team=actors.team)


def test_saving_the_profile_rescores_the_team_in_bulk(
    actors, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    for _i in range(30):
        LeadFactory(team=actors.team, industry="Software", country="EE", employee_count=100, title="VP Sales")
    outsider = LeadFactory(team=actors.other_team, industry="Software")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        profile = services.icp_profile_create(
            team=actors.team, by=actors.manager,
            values={"name": "Baltic SaaS", "is_active": True, "industries": ["software"], "countries": ["ee"],
                    "employee_min": 50, "employee_max": 500, "title_keywords": ["vp"]},
        )  # fmt: skip
    assert len(callbacks) == 1
    assert set(Lead.objects.filter(team=actors.team).values_list("score", "grade", "stage")) == {
        (100, "A", "mql")
    }
    assert Activity.objects.filter(kind="stage").count() == 30
    outsider.refresh_from_db()
    assert outsider.score == 0
    assert profile.countries == ["EE"]
    with django_assert_max_num_queries(12):
        assert services.lead_rescore_team(team_id=actors.team.pk) == {"rescored": 0, "promoted": 0}


def test_deactivating_the_profile_scores_zero_but_keeps_mql(actors, django_capture_on_commit_callbacks):
    profile = IcpProfileFactory(team=actors.team)
    lead = create(actors, email="a@x.ee", industry="Software", country="EE", employee_count=60)
    assert lead.stage == "mql"
    with django_capture_on_commit_callbacks(execute=True):
        services.icp_profile_update(profile=profile, by=actors.manager, values={"is_active": False})
    lead.refresh_from_db()
    assert (lead.score, lead.grade, lead.score_explanation, lead.stage) == (0, "D", [], "mql")


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x", "employee_min": 500, "employee_max": 50}, "employee_max"),
        ({"name": "x", "countries": ["Estonia"]}, "countries"),
        ({"name": "x", "weights": {"industry": 0, "employees": 0, "country": 0, "title": 0}}, "weights"),
        ({"name": "x", "weights": {"budget": 10}}, "weights"),
        ({"name": "x", "weights": {"industry": 101}}, "weights"),
    ],
)
def test_bad_profiles_are_refused(actors, values, field):
    with pytest.raises(ValidationFailed) as error:
        services.icp_profile_create(team=actors.team, by=actors.manager, values=values)
    assert error.value.field == field
    assert not IcpProfile.objects.exists()


def test_only_managers_and_admins_edit_the_icp(actors):
    for user in (actors.sdr, actors.bdr, actors.ae):
        with pytest.raises(NotAllowed):
            services.icp_profile_create(team=actors.team, by=user, values={"name": "x"})
    assert not IcpProfile.objects.exists()


def test_grade_preview_counts_leads_per_grade(actors):
    LeadFactory(team=actors.team, industry="Software", country="EE")
    LeadFactory(team=actors.team, industry="Software")
    LeadFactory(team=actors.team)
    preview = services.icp_grade_preview(
        team_id=actors.team.pk,
        values={"industries": ["Software"], "countries": ["EE"], "weights": {"industry": 50, "country": 50}},
    )
    assert preview == {"total": 3, "grades": {"A": 1, "B": 0, "C": 1, "D": 1}, "sampled": False}


def test_priority_orders_by_score_then_corporate_then_inbound_then_newest(actors):
    now = timezone.now()
    old = now - timezone.timedelta(days=3)
    a = LeadFactory(team=actors.team, score=90, email_kind="free", created_at=now)
    b = LeadFactory(team=actors.team, score=90, email_kind="corporate", source="outbound", created_at=now)
    c = LeadFactory(team=actors.team, score=90, email_kind="corporate", source="inbound", created_at=old)
    d = LeadFactory(team=actors.team, score=90, email_kind="corporate", source="inbound", created_at=now)
    e = LeadFactory(team=actors.team, score=95, email_kind="none", created_at=old)
    assert list(Lead.objects.by_priority()) == [e, d, c, b, a]
