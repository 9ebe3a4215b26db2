"""Page-number pagination whose count stays cheap on big tables.

`count` is exact up to EXACT_COUNT_LIMIT rows; past that, PostgreSQL's planner estimate is used
and the response says `"count_is_estimate": true`.
"""

import json

from django.db import connections
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

EXACT_COUNT_LIMIT = 10_000


def estimated_count(queryset) -> tuple[int, bool]:
    """(count, is_estimate) with at most one bounded COUNT."""
    capped = queryset.order_by()[: EXACT_COUNT_LIMIT + 1].count()
    if capped <= EXACT_COUNT_LIMIT:
        return capped, False
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return queryset.count(), False
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    return max(int(plan[0]["Plan"]["Plan Rows"]), capped), True


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        self.count_is_estimate = False
        if hasattr(queryset, "query"):
            count, self.count_is_estimate = estimated_count(queryset)
            paginator_class = self.django_paginator_class

            class _Paginator(paginator_class):
                pass

            _Paginator.count = count
            self.django_paginator_class = _Paginator
        try:
            return super().paginate_queryset(queryset, request, view)
        finally:
            self.django_paginator_class = PageNumberPagination.django_paginator_class

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
