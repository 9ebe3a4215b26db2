from django.urls import path

from handoffs.web import views

urlpatterns = [
    path("handoffs/", views.handoff_inbox_view, name="handoff-inbox"),
]
