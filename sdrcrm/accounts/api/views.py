from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from sdrcrm.accounts import selectors, services
from sdrcrm.accounts.api.serializers import (
    NotificationOut,
    NotificationReadIn,
    TeamCreateIn,
    TeamOut,
    TeamUpdateIn,
    TeamWithKeyOut,
    UserCreateIn,
    UserOut,
    UserUpdateIn,
)
from sdrcrm.accounts.models import Role
from sdrcrm.core.errors import NotAllowed

MANAGER_EDITABLE_USER_FIELDS = {"away_until", "is_active"}
MANAGER_EDITABLE_TEAM_FIELDS = set(services.TEAM_SETTINGS)


class TokenLoginApi(ObtainAuthToken):
    """`{"username", "password"}` → `{"token"}`. Throttled per client."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


class TeamCollectionApi(GenericAPIView):
    serializer_class = TeamOut

    @extend_schema(responses=TeamOut(many=True))
    def get(self, request):
        teams = selectors.team_list_for_user(user=request.user)
        page = self.paginate_queryset(teams)
        return self.get_paginated_response(TeamOut(page, many=True).data)

    @extend_schema(request=TeamCreateIn, responses={201: TeamWithKeyOut})
    def post(self, request):
        selectors.require_role(request.user, Role.ADMIN)
        data = TeamCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        team, raw_key = services.team_create(**data.validated_data, by=request.user)
        team.api_key = raw_key
        return Response(TeamWithKeyOut(team).data, status=status.HTTP_201_CREATED)


class TeamDetailApi(APIView):
    @extend_schema(responses=TeamOut)
    def get(self, request, team_id: int):
        return Response(TeamOut(selectors.team_get_for_user(user=request.user, team_id=team_id)).data)

    @extend_schema(request=TeamUpdateIn, responses=TeamOut)
    def patch(self, request, team_id: int):
        team = selectors.team_get_for_user(user=request.user, team_id=team_id)
        data = TeamUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if not request.user.is_admin and set(data.validated_data) - MANAGER_EDITABLE_TEAM_FIELDS:
            raise NotAllowed("Only an admin renames a team.")
        return Response(TeamOut(services.team_update(team=team, by=request.user, **data.validated_data)).data)


class TeamRotateKeyApi(APIView):
    @extend_schema(request=None, responses=TeamWithKeyOut)
    def post(self, request, team_id: int):
        team = selectors.team_get_for_user(user=request.user, team_id=team_id)
        raw_key = services.team_rotate_api_key(team=team, by=request.user)
        team.api_key = raw_key
        return Response(TeamWithKeyOut(team).data)


class UserCollectionApi(GenericAPIView):
    serializer_class = UserOut

    @extend_schema(responses=UserOut(many=True))
    def get(self, request):
        users = selectors.user_list_for_user(user=request.user)
        if role := request.query_params.get("role"):
            users = users.filter(role=role)
        page = self.paginate_queryset(users.order_by("id"))
        return self.get_paginated_response(UserOut(page, many=True).data)

    @extend_schema(request=UserCreateIn, responses={201: UserOut})
    def post(self, request):
        selectors.require_role(request.user, Role.ADMIN)
        data = UserCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["timezone_name"] = values.pop("timezone")
        user = services.user_create(**values, by=request.user)
        return Response(UserOut(user).data, status=status.HTTP_201_CREATED)


class UserMeApi(APIView):
    @extend_schema(responses=UserOut)
    def get(self, request):
        return Response(UserOut(request.user).data)


class UserDetailApi(APIView):
    @extend_schema(responses=UserOut)
    def get(self, request, user_id: int):
        return Response(UserOut(selectors.user_get_for_user(user=request.user, user_id=user_id)).data)

    @extend_schema(request=UserUpdateIn, responses=UserOut)
    def patch(self, request, user_id: int):
        target = selectors.user_get_for_user(user=request.user, user_id=user_id)
        data = UserUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        if not request.user.is_admin and set(data.validated_data) - MANAGER_EDITABLE_USER_FIELDS:
            raise NotAllowed("A manager may only set a rep's away date and active flag.")
        return Response(
            UserOut(services.user_update(user=target, by=request.user, **data.validated_data)).data
        )


class NotificationCollectionApi(GenericAPIView):
    serializer_class = NotificationOut

    @extend_schema(responses=NotificationOut(many=True))
    def get(self, request):
        unread_only = request.query_params.get("unread") in ("1", "true")
        notifications = selectors.notification_list_for_user(user=request.user, unread_only=unread_only)
        page = self.paginate_queryset(notifications)
        return self.get_paginated_response(NotificationOut(page, many=True).data)


class NotificationReadApi(APIView):
    @extend_schema(request=NotificationReadIn, responses={200: dict})
    def post(self, request):
        data = NotificationReadIn(data=request.data)
        data.is_valid(raise_exception=True)
        changed = services.notification_mark_read(
            user=request.user, notification_ids=data.validated_data.get("ids")
        )
        return Response({"marked_read": changed})
