from django.contrib.auth import views as auth_views
from django.urls import path

from sdrcrm.accounts.web import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notification_list_view, name="notifications"),
    path("notifications/read/", views.notification_read_view, name="notifications-read"),
]
