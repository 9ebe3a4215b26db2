from django.urls import path

from handoffs.web import views

urlpatterns = [
    path("handoffs/", views.handoff_inbox_view, name="handoff-inbox"),
    path("handoffs/new/", views.handoff_create_view, name="handoff-create"),
    path("handoffs/rules/", views.rules_view, name="handoff-rules"),
    path("handoffs/<int:handoff_id>/sla/", views.handoff_sla_view, name="handoff-sla"),
    path("handoffs/<int:handoff_id>/accept/", views.handoff_accept_view, name="handoff-accept"),
    path("handoffs/<int:handoff_id>/reject/", views.handoff_reject_view, name="handoff-reject"),
    path("handoffs/<int:handoff_id>/meeting/", views.handoff_meeting_view, name="handoff-meeting"),
    path("opportunities/", views.opportunity_list_view, name="opportunity-list"),
    path("opportunities/new/", views.opportunity_create_view, name="opportunity-create"),
    path("opportunities/<int:opportunity_id>/stage/", views.opportunity_stage_view, name="opportunity-stage"),
]
