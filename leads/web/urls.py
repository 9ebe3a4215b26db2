from django.urls import path

from leads.web import views

urlpatterns = [
    path("leads/", views.lead_list_view, name="lead-list"),
    path("leads/bulk/", views.lead_bulk_view, name="lead-bulk"),
    path("leads/<int:lead_id>/", views.lead_detail_view, name="lead-detail"),
    path("leads/<int:lead_id>/edit/", views.lead_edit_view, name="lead-edit"),
    path("leads/<int:lead_id>/activities/", views.lead_activity_view, name="lead-activity"),
    path("leads/<int:lead_id>/<str:action>/", views.lead_action_view, name="lead-action"),
    path("imports/", views.import_list_view, name="import-list"),
    path("imports/sample.csv", views.import_sample_view, name="import-sample"),
    path("imports/preview/", views.import_preview_view, name="import-preview"),
    path("imports/<int:batch_id>/", views.import_detail_view, name="import-detail"),
    path("imports/<int:batch_id>/errors.csv", views.import_errors_csv_view, name="import-errors-csv"),
    path("imports/<int:batch_id>/revert/", views.import_revert_view, name="import-revert"),
    path("icp/", views.icp_view, name="icp"),
    path("icp/preview/", views.icp_preview_view, name="icp-preview"),
]
