from django.urls import path

from cadences.web import views

urlpatterns = [
    path("today/", views.today_view, name="today"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
    path("today/touches/<int:touch_id>/", views.today_touch_row_view, name="today-touch"),
    path("today/reminders/<int:reminder_id>/", views.today_reminder_row_view, name="today-reminder"),
    path(
        "today/touches/<int:touch_id>/<slug:action>/",
        views.today_touch_action_view,
        name="today-touch-action",
    ),
    path(
        "today/reminders/<int:reminder_id>/<slug:action>/",
        views.today_reminder_action_view,
        name="today-reminder-action",
    ),
    path("cadences/", views.cadence_list_view, name="cadence-list"),
    path("cadences/sending-policy/", views.sending_policy_view, name="cadence-sending-policy"),
    path("cadences/review/", views.review_view, name="cadence-review"),
    path("cadences/review/<int:touch_id>/", views.review_resolve_view, name="cadence-review-resolve"),
    path("cadences/enroll/", views.bulk_enroll_form_view, name="cadence-bulk-enroll-form"),
    path("cadences/enroll/bulk/", views.bulk_enroll_view, name="cadence-bulk-enroll"),
    path("cadences/enroll/lead/<int:lead_id>/", views.lead_enroll_panel_view, name="cadence-lead-enroll"),
    path("cadences/<int:cadence_id>/", views.cadence_detail_view, name="cadence-detail"),
    path("cadences/<int:cadence_id>/steps/<slug:action>/", views.cadence_step_view, name="cadence-step"),
]
