from django.contrib.auth import views as auth_views
from django.urls import path

from sdrcrm.accounts.web import views

urlpatterns = [
    path("", views.home_view, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("notifications/", views.notification_list_view, name="notifications"),
    path("notifications/read/", views.notification_read_view, name="notifications-read"),
    path("team/", views.team_settings_view, name="team-settings"),
    path("team/rotate-key/", views.team_rotate_key_view, name="team-rotate-key"),
    path("team/members/<int:user_id>/away/", views.member_away_view, name="team-member-away"),
]
