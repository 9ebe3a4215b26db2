from django.urls import path

from handoffs.api import views

urlpatterns = [
    path("handoffs/", views.HandoffCollectionApi.as_view(), name="api-handoffs"),
    path("handoffs/<int:handoff_id>/", views.HandoffDetailApi.as_view(), name="api-handoff"),
    path("handoffs/<int:handoff_id>/accept/", views.HandoffAcceptApi.as_view(), name="api-handoff-accept"),
    path("handoffs/<int:handoff_id>/reject/", views.HandoffRejectApi.as_view(), name="api-handoff-reject"),
    path("handoffs/<int:handoff_id>/meeting/", views.HandoffMeetingApi.as_view(), name="api-handoff-meeting"),
    path(
        "handoffs/<int:handoff_id>/meeting.ics",
        views.HandoffMeetingIcsApi.as_view(),
        name="api-handoff-meeting-ics",
    ),
    path("opportunities/", views.OpportunityCollectionApi.as_view(), name="api-opportunities"),
    path("opportunities/<int:opportunity_id>/", views.OpportunityDetailApi.as_view(), name="api-opportunity"),
    path(
        "teams/<int:team_id>/rules-of-engagement/",
        views.RulesOfEngagementApi.as_view(),
        name="api-team-rules-of-engagement",
    ),
]
