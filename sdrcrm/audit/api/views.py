from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.pagination import CursorPagination

from sdrcrm.audit import selectors
from sdrcrm.audit.api.serializers import AuditEventOut


class NewestFirst(CursorPagination):
    """No COUNT: the log only grows, so pages are cursors over (created_at, id)."""

    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


AUDIT_FILTERS = [
    OpenApiParameter("target_type", str, description="lead, enrollment, handoff, opportunity, team, user, …"),
    OpenApiParameter("target_id", int),
    OpenApiParameter("actor", int, description="a user id"),
    OpenApiParameter(
        "action", str, description="exact (`lead.updated`) or a prefix ending in a dot (`lead.`)"
    ),
    OpenApiParameter("since", str, description="YYYY-MM-DD or an ISO 8601 date and time"),
    OpenApiParameter("team", int, description="admins: one team's events"),
]


class AuditEventCollectionApi(GenericAPIView):
    serializer_class = AuditEventOut
    pagination_class = NewestFirst

    @extend_schema(parameters=AUDIT_FILTERS, responses=AuditEventOut(many=True))
    def get(self, request):
        events = selectors.audit_event_list_for_user(user=request.user, filters=request.query_params)
        page = self.paginate_queryset(events)
        return self.get_paginated_response(AuditEventOut(page, many=True).data)
