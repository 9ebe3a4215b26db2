"""List counts stay cheap: exact up to 10,000, then PostgreSQL's estimate, flagged as such."""

import pytest
from django.db import connection

from sdrcrm.accounts.models import Notification
from sdrcrm.core.pagination import EXACT_COUNT_LIMIT, estimated_count
from tests.factories import UserFactory


@pytest.mark.django_db
def test_small_lists_are_counted_exactly():
    user = UserFactory()
    Notification.objects.bulk_create(Notification(user=user, kind="system", title=f"n{i}") for i in range(25))
    assert estimated_count(Notification.objects.filter(user=user)) == (25, False)


@pytest.mark.services
@pytest.mark.django_db
def test_big_lists_on_postgresql_get_an_estimate_flagged_in_the_api(api_for):
    user = UserFactory()
    Notification.objects.bulk_create(
        (Notification(user=user, kind="system", title=f"n{i}") for i in range(EXACT_COUNT_LIMIT + 500)),
        batch_size=5000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_notification")
    count, is_estimate = estimated_count(Notification.objects.filter(user=user))
    assert is_estimate is True
    assert EXACT_COUNT_LIMIT < count < 2 * EXACT_COUNT_LIMIT
    body = api_for(user).get("/api/notifications/").json()
    assert body["count_is_estimate"] is True
    assert body["count"] > EXACT_COUNT_LIMIT
    assert len(body["results"]) == 50


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["99999999999999999999", str(2**63), "0", "-1", "x"])
def test_a_page_that_cannot_exist_is_a_404_not_an_overflow(api_for, actors, page):
    response = api_for(actors.sdr).get(f"/api/notifications/?page={page}")
    assert response.status_code == 404


@pytest.mark.django_db
def test_a_filter_that_matches_nothing_past_the_first_page_is_a_404(api_for, actors):
    response = api_for(actors.manager).get("/api/leads/?status=bogus&page=3")
    assert response.status_code in (400, 404)
    assert estimated_count(Notification.objects.filter(pk__in=[])) == (0, False)


@pytest.mark.services
@pytest.mark.django_db
def test_the_planner_is_asked_once_a_minute_per_list(settings):
    from django.test.utils import CaptureQueriesContext

    from sdrcrm.core import pagination

    settings.PLANNER_ESTIMATE_CACHE_SECONDS = 60
    pagination._estimates.clear()
    user, other = UserFactory(), UserFactory()
    with CaptureQueriesContext(connection) as asked:
        first = pagination.planner_estimate(Notification.objects.filter(user=user))
        again = pagination.planner_estimate(Notification.objects.filter(user=user))
        pagination.planner_estimate(Notification.objects.filter(user=other))
    explains = [q["sql"] for q in asked.captured_queries if q["sql"].startswith("EXPLAIN")]
    assert first == again
    assert len(explains) == 2  # the same list once, another list (other parameters) again
    pagination._estimates.clear()
