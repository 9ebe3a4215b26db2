from django.urls import path

from sdrcrm.accounts.api import views

urlpatterns = [
    path("auth/token/", views.TokenLoginApi.as_view(), name="api-token"),
    path("teams/", views.TeamCollectionApi.as_view(), name="api-teams"),
    path("teams/<int:team_id>/", views.TeamDetailApi.as_view(), name="api-team"),
    path("teams/<int:team_id>/rotate-key/", views.TeamRotateKeyApi.as_view(), name="api-team-rotate-key"),
    path("users/", views.UserCollectionApi.as_view(), name="api-users"),
    path("users/me/", views.UserMeApi.as_view(), name="api-user-me"),
    path("users/<int:user_id>/", views.UserDetailApi.as_view(), name="api-user"),
    path("notifications/", views.NotificationCollectionApi.as_view(), name="api-notifications"),
    path("notifications/read/", views.NotificationReadApi.as_view(), name="api-notifications-read"),
]
