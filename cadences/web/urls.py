from django.urls import path

from cadences.web import views

urlpatterns = [
    path("today/", views.today_view, name="today"),
]
