"""Pagination that never counts a big table exactly.

A page is read with one row more than it shows, so "is there a next page" needs no count, and on
the last page the count is exact for free. Otherwise `count` is exact up to EXACT_COUNT_LIMIT rows
(a COUNT capped at EXACT_COUNT_LIMIT + 1 rows, inside the rows' statement); past that it is
PostgreSQL's planner estimate and the response says `"count_is_estimate": true`. When the planner
already expects many times the limit, the capped COUNT is skipped: at a million rows it would be the
slowest part of the request.
"""

import json
import time

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models.expressions import RawSQL
from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

EXACT_COUNT_LIMIT = 10_000
TRUSTED_ESTIMATE_FACTOR = 10  # an estimate above this many times the limit is not re-checked by a COUNT


# Estimates already asked, per process: (database, SQL, parameters) → (good until, rows). An estimate is
# only ever shown as "about N", so one a minute old is as good; lists reopened page after page skip the
# EXPLAIN, which costs about as much planning as the rows' own statement.
_estimates: dict[tuple, tuple[float, int]] = {}
_ESTIMATES_KEPT = 2000


def planner_estimate(queryset) -> int | None:
    """PostgreSQL's estimate of the number of rows (one EXPLAIN, no rows read); None elsewhere."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return None
    if queryset.query.is_empty():
        return 0
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (e.g. `status__in=[]`)
        return 0
    seconds = settings.PLANNER_ESTIMATE_CACHE_SECONDS
    key = (queryset.db, sql, *params)
    try:
        until, rows = _estimates.get(key, (0.0, 0))
    except TypeError:  # a parameter that cannot be a key (a list or dict): ask each time
        until, rows, seconds = 0.0, 0, 0
    if until > time.monotonic():
        return rows
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    rows = int(plan[0]["Plan"]["Plan Rows"])
    if seconds > 0:
        if len(_estimates) >= _ESTIMATES_KEPT:
            _estimates.clear()
        _estimates[key] = (time.monotonic() + seconds, rows)
    return rows


def estimated_count(queryset, *, exact_limit: int = EXACT_COUNT_LIMIT) -> tuple[int, bool]:
    """(count, is_estimate): exact up to `exact_limit`, with at most one EXPLAIN and one capped COUNT."""
    estimate = planner_estimate(queryset)
    if estimate is not None and estimate > TRUSTED_ESTIMATE_FACTOR * exact_limit:
        return estimate, True
    capped = queryset.order_by()[: exact_limit + 1].count()
    if capped <= exact_limit:
        return capped, False
    if estimate is None:
        return queryset.count(), False
    return max(estimate, capped), True


def _with_capped_count(queryset, limit: int):
    """The queryset with each row carrying `capped_count`: the COUNT capped at `limit` + 1 rows,
    computed once by the database in the same statement as the rows (one round trip)."""
    sql, params = queryset.order_by().values("pk")[: limit + 1].query.sql_with_params()
    # The inner SQL is Django's own compilation of the queryset, its values passed as parameters.
    capped = RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params)  # noqa: S608, S611
    return queryset.annotate(capped_count=capped)


def read_page(queryset, number: int, per_page: int, *, exact_limit: int = EXACT_COUNT_LIMIT):
    """(page, count_is_estimate) for page `number` (from 1). On PostgreSQL always the same two
    statements, whatever the size: the planner's estimate, then the rows, which carry a capped count
    when the estimate does not already put the list far past `exact_limit`. The page's paginator
    carries the count."""
    offset = (number - 1) * per_page
    estimate = planner_estimate(queryset)
    trusted = estimate is not None and estimate > TRUSTED_ESTIMATE_FACTOR * exact_limit
    if estimate and not trusted:
        queryset = _with_capped_count(queryset, exact_limit)
    rows = list(queryset[offset : offset + per_page + 1])
    if len(rows) <= per_page and (rows or number == 1):
        count, is_estimate = offset + len(rows), False
    elif trusted:
        count, is_estimate = max(estimate, offset + len(rows)), True
    elif rows and estimate:
        capped = rows[0]["capped_count"] if isinstance(rows[0], dict) else rows[0].capped_count
        count, is_estimate = (capped, False) if capped <= exact_limit else (max(estimate, capped), True)
        count = max(count, offset + len(rows))
    else:  # SQLite, or a page past the end
        count, is_estimate = estimated_count(queryset, exact_limit=exact_limit)
        count = max(count, offset + len(rows))
    paginator = Paginator(queryset, per_page)
    paginator.count = count  # replaces the cached COUNT(*) Django's paginator would run
    return Page(rows[:per_page], number, paginator), is_estimate


# Past this page the row offset would leave a 64-bit integer (50 rows a page): no such page exists.
LARGEST_PAGE = 10**15


def page_number(value) -> int | None:
    """The page number in a query string (missing: 1), None when it is not a positive integer or past
    any page that can exist."""
    if value in (None, ""):
        return 1
    if not str(value).isdigit() or not 1 <= int(value) <= LARGEST_PAGE:
        return None
    return int(value)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.count_is_estimate = False
        if not hasattr(queryset, "query"):
            return super().paginate_queryset(queryset, request, view)
        per_page = self.get_page_size(request)
        if not per_page:
            return None
        asked = request.query_params.get(self.page_query_param)
        if asked in self.last_page_strings:
            count, _ = estimated_count(queryset)
            asked = max(1, -(-count // per_page))
        number = page_number(asked)
        if number is None:
            raise NotFound(self.invalid_page_message)
        self.page, self.count_is_estimate = read_page(queryset, number, per_page)
        if number > 1 and not self.page.object_list:
            raise NotFound(self.invalid_page_message)
        self.request = request
        if self.template is not None and self.page.paginator.num_pages > 1:
            self.display_page_controls = True
        return list(self.page)

    def get_paginated_response(self, data):
        payload = {
            "count": self.page.paginator.count,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        }
        if self.count_is_estimate:
            payload["count_is_estimate"] = True
        return Response(payload)

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count_is_estimate"] = {"type": "boolean"}
        return response
