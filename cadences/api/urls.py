from django.urls import path

from cadences.api import views

urlpatterns = [
    path("cadences/", views.CadenceCollectionApi.as_view(), name="api-cadences"),
    path("cadences/<int:cadence_id>/", views.CadenceDetailApi.as_view(), name="api-cadence"),
    path("cadences/<int:cadence_id>/enroll/", views.CadenceEnrollApi.as_view(), name="api-cadence-enroll"),
    path("cadences/<int:cadence_id>/report/", views.CadenceReportApi.as_view(), name="api-cadence-report"),
    path("enrollments/", views.EnrollmentCollectionApi.as_view(), name="api-enrollments"),
    *[
        path(
            f"enrollments/<int:enrollment_id>/{action}/",
            views.EnrollmentActionApi.as_view(action=action),
            name=f"api-enrollment-{action}",
        )
        for action in ("pause", "resume", "exit")
    ],
    path("touches/", views.TouchCollectionApi.as_view(), name="api-touches"),
    *[
        path(
            f"touches/<int:touch_id>/{action}/",
            views.TouchActionApi.as_view(action=action),
            name=f"api-touch-{action}",
        )
        for action in ("complete", "skip", "reschedule", "send")
    ],
    path("touches/<int:touch_id>/resolve/", views.TouchResolveApi.as_view(), name="api-touch-resolve"),
    path("queue/", views.QueueApi.as_view(), name="api-queue"),
    path("reminders/", views.ReminderCollectionApi.as_view(), name="api-reminders"),
    path("reminders/<int:reminder_id>/done/", views.ReminderDoneApi.as_view(), name="api-reminder-done"),
    path("users/<int:user_id>/reassign/", views.UserReassignApi.as_view(), name="api-user-reassign"),
    path(
        "teams/<int:team_id>/sending-policy/",
        views.SendingPolicyApi.as_view(),
        name="api-team-sending-policy",
    ),
    path("inbound/leads/", views.InboundLeadApi.as_view(), name="api-inbound-leads"),
    path("email-events/", views.EmailEventApi.as_view(), name="api-email-events"),
]
