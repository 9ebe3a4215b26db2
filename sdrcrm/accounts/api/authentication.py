"""`X-Api-Key: <team key>` for the machine endpoints (web forms, the email provider)."""

from django.contrib.auth.models import AnonymousUser
from rest_framework import authentication, exceptions, permissions

from sdrcrm.accounts.models import Team
from sdrcrm.accounts.services import team_for_api_key


class TeamApiKeyAuthentication(authentication.BaseAuthentication):
    header = "HTTP_X_API_KEY"

    def authenticate(self, request):
        raw_key = request.META.get(self.header, "")
        if not raw_key:
            return None
        team = team_for_api_key(raw_key=raw_key.strip())
        if team is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        return AnonymousUser(), team

    def authenticate_header(self, request):
        return "Api-Key"


class HasTeamApiKey(permissions.BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, Team)


class TeamApiKeyMixin:
    """Makes an API view a machine endpoint: the team comes from the key, as `request.auth`."""

    authentication_classes = [TeamApiKeyAuthentication]
    permission_classes = [HasTeamApiKey]
