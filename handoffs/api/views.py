from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from handoffs import selectors, services
from handoffs.api.serializers import (
    HandoffAcceptIn,
    HandoffCreateIn,
    HandoffMeetingIn,
    HandoffOut,
    HandoffRejectIn,
    OpportunityCreateIn,
    OpportunityOut,
    OpportunityUpdateIn,
    RulesOfEngagementOut,
    RulesOfEngagementUpdateIn,
)
from handoffs.models import HandoffStatus, OpportunityStage
from leads.models import Lead
from sdrcrm.accounts.models import Team, User
from sdrcrm.core.errors import NotFound, ValidationFailed


def _user_or_400(user_id, field: str) -> User | None:
    if user_id is None:
        return None
    found = User.objects.filter(pk=user_id).first()
    if found is None:
        raise ValidationFailed("Unknown user.", field=field)
    return found


class HandoffCollectionApi(GenericAPIView):
    serializer_class = HandoffOut

    @extend_schema(
        parameters=[OpenApiParameter("status", enum=HandoffStatus.values)], responses=HandoffOut(many=True)
    )
    def get(self, request):
        wanted = request.query_params.get("status") or None
        if wanted and wanted not in HandoffStatus.values:
            raise ValidationFailed(f"One of {', '.join(HandoffStatus.values)}.", field="status")
        handoffs = selectors.handoff_list_for_user(user=request.user, status=wanted)
        page = self.paginate_queryset(handoffs)
        return self.get_paginated_response(HandoffOut(page, many=True).data)

    @extend_schema(request=HandoffCreateIn, responses={201: HandoffOut})
    def post(self, request):
        data = HandoffCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lead = Lead.objects.filter(pk=values.pop("lead")).first()
        if lead is None:
            raise NotFound("Lead not found.")
        values["ae"] = _user_or_400(values.pop("ae", None), "ae")
        handoff = services.handoff_create(by=request.user, lead=lead, **values)
        return Response(HandoffOut(handoff).data, status=status.HTTP_201_CREATED)


class HandoffDetailApi(APIView):
    @extend_schema(responses=HandoffOut)
    def get(self, request, handoff_id: int):
        return Response(
            HandoffOut(selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)).data
        )


class HandoffAcceptApi(APIView):
    @extend_schema(request=HandoffAcceptIn, responses={201: OpportunityOut})
    def post(self, request, handoff_id: int):
        handoff = selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)
        data = HandoffAcceptIn(data=request.data)
        data.is_valid(raise_exception=True)
        opportunity = services.handoff_accept(handoff=handoff, by=request.user, **data.validated_data)
        return Response(OpportunityOut(opportunity).data, status=status.HTTP_201_CREATED)


class HandoffRejectApi(APIView):
    @extend_schema(request=HandoffRejectIn, responses=HandoffOut)
    def post(self, request, handoff_id: int):
        handoff = selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)
        data = HandoffRejectIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.handoff_reject(handoff=handoff, by=request.user, **data.validated_data)
        return Response(
            HandoffOut(selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)).data
        )


class HandoffMeetingApi(APIView):
    @extend_schema(request=HandoffMeetingIn, responses=HandoffOut)
    def post(self, request, handoff_id: int):
        handoff = selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)
        data = HandoffMeetingIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.handoff_record_meeting(handoff=handoff, by=request.user, **data.validated_data)
        return Response(
            HandoffOut(selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)).data
        )


class HandoffMeetingIcsApi(APIView):
    @extend_schema(responses={(200, "text/calendar"): OpenApiTypes.STR})
    def get(self, request, handoff_id: int):
        handoff = selectors.handoff_get_for_user(user=request.user, handoff_id=handoff_id)
        if handoff.meeting_at is None:
            raise NotFound("No meeting was booked with this handoff.")
        response = HttpResponse(
            services.handoff_ics(handoff=handoff), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="handoff-{handoff.pk}-meeting.ics"'
        return response


class OpportunityCollectionApi(GenericAPIView):
    serializer_class = OpportunityOut

    @extend_schema(
        parameters=[
            OpenApiParameter("stage", enum=OpportunityStage.values),
            OpenApiParameter("owner", int),
        ],
        responses=OpportunityOut(many=True),
    )
    def get(self, request):
        stage = request.query_params.get("stage") or None
        if stage and stage not in OpportunityStage.values:
            raise ValidationFailed(f"One of {', '.join(OpportunityStage.values)}.", field="stage")
        owner = request.query_params.get("owner") or None
        if owner is not None and not (owner.isdigit() and len(owner) < 19):
            raise ValidationFailed("A user id.", field="owner")
        opportunities = selectors.opportunity_list_for_user(user=request.user, stage=stage, owner=owner)
        page = self.paginate_queryset(opportunities)
        return self.get_paginated_response(OpportunityOut(page, many=True).data)

    @extend_schema(request=OpportunityCreateIn, responses={201: OpportunityOut})
    def post(self, request):
        data = OpportunityCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lead_id = values.pop("lead", None)
        values["lead"] = None
        if lead_id is not None:
            values["lead"] = Lead.objects.filter(pk=lead_id).first()
            if values["lead"] is None:
                raise ValidationFailed("Unknown lead.", field="lead")
        values["owner"] = _user_or_400(values.pop("owner", None), "owner")
        values["sourced_by"] = _user_or_400(values.pop("sourced_by", None), "sourced_by")
        opportunity = services.opportunity_create(by=request.user, **values)
        return Response(OpportunityOut(opportunity).data, status=status.HTTP_201_CREATED)


class OpportunityDetailApi(APIView):
    @extend_schema(responses=OpportunityOut)
    def get(self, request, opportunity_id: int):
        opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
        return Response(OpportunityOut(opportunity).data)

    @extend_schema(request=OpportunityUpdateIn, responses=OpportunityOut)
    def patch(self, request, opportunity_id: int):
        opportunity = selectors.opportunity_get_for_user(user=request.user, opportunity_id=opportunity_id)
        data = OpportunityUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        changes = dict(data.validated_data)
        for field in ("owner", "sourced_by"):
            if field in changes:
                changes[field] = _user_or_400(changes[field], field)
        opportunity = services.opportunity_update(opportunity=opportunity, by=request.user, **changes)
        return Response(OpportunityOut(opportunity).data)


class RulesOfEngagementApi(APIView):
    @extend_schema(responses=RulesOfEngagementOut)
    def get(self, request, team_id: int):
        return Response(
            RulesOfEngagementOut(selectors.rules_get_for_user(user=request.user, team_id=team_id)).data
        )

    @extend_schema(request=RulesOfEngagementUpdateIn, responses=RulesOfEngagementOut)
    def patch(self, request, team_id: int):
        selectors.rules_get_for_user(user=request.user, team_id=team_id)
        data = RulesOfEngagementUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        team = Team.objects.get(pk=team_id)
        rules = services.rules_update(team=team, by=request.user, **data.validated_data)
        rules.team.refresh_from_db()
        return Response(RulesOfEngagementOut(rules).data)
