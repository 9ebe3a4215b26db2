from django.urls import path

from metrics.web import views

urlpatterns = [
    path("dashboard/", views.dashboard_view, name="dashboard"),
    path("dashboard/me/", views.my_numbers_view, name="dashboard-me"),
]
