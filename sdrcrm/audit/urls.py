"""The audit log's API and page, included once from sdrcrm/urls.py."""

from django.urls import path

from sdrcrm.audit.api.views import AuditEventCollectionApi
from sdrcrm.audit.web.views import audit_list_view, lead_erase_view

urlpatterns = [
    path("api/audit/", AuditEventCollectionApi.as_view(), name="api-audit"),
    path("audit/", audit_list_view, name="audit-list"),
    path("leads/<int:lead_id>/erase/", lead_erase_view, name="lead-erase"),
]
