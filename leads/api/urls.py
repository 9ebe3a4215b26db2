from django.urls import path

from leads.api import privacy, views

urlpatterns = [
    path("leads/", views.LeadCollectionApi.as_view(), name="api-leads"),
    path("leads/<int:lead_id>/", views.LeadDetailApi.as_view(), name="api-lead"),
    path("leads/<int:lead_id>/claim/", views.LeadClaimApi.as_view(), name="api-lead-claim"),
    path("leads/<int:lead_id>/disqualify/", views.LeadDisqualifyApi.as_view(), name="api-lead-disqualify"),
    path("leads/<int:lead_id>/nurture/", views.LeadNurtureApi.as_view(), name="api-lead-nurture"),
    path(
        "leads/<int:lead_id>/activities/",
        views.LeadActivityCollectionApi.as_view(),
        name="api-lead-activities",
    ),
    path("leads/<int:lead_id>/export/", privacy.LeadExportApi.as_view(), name="api-lead-export"),
    path("leads/<int:lead_id>/erase/", privacy.LeadEraseApi.as_view(), name="api-lead-erase"),
    path("imports/", views.ImportCollectionApi.as_view(), name="api-imports"),
    path("imports/<int:batch_id>/", views.ImportDetailApi.as_view(), name="api-import"),
    path("imports/<int:batch_id>/errors.csv", views.ImportErrorsCsvApi.as_view(), name="api-import-errors"),
    path("imports/<int:batch_id>/rows/", views.ImportRowsApi.as_view(), name="api-import-rows"),
    path("imports/<int:batch_id>/revert/", views.ImportRevertApi.as_view(), name="api-import-revert"),
    path("icp-profiles/", views.IcpProfileCollectionApi.as_view(), name="api-icp-profiles"),
    path("icp-profiles/<int:profile_id>/", views.IcpProfileDetailApi.as_view(), name="api-icp-profile"),
]
