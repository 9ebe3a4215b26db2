from django.db.models import Prefetch
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from cadences import selectors, services
from cadences.api.serializers import (
    CadenceCreateIn,
    CadenceOut,
    CadenceUpdateIn,
    EmailEventIn,
    EnrollIn,
    EnrollmentOut,
    ExitIn,
    InboundLeadIn,
    InboundLeadOut,
    QueueItemOut,
    ReassignIn,
    ReminderCreateIn,
    ReminderOut,
    SendingPolicyIn,
    SendingPolicyOut,
    TouchCompleteIn,
    TouchOut,
    TouchRescheduleIn,
    TouchResolveIn,
    TouchSendIn,
    TouchSkipIn,
)
from cadences.models import Step
from leads.models import Lead
from sdrcrm.accounts.api.authentication import TeamApiKeyMixin
from sdrcrm.accounts.models import Role, Team
from sdrcrm.accounts.selectors import require_role, team_get_for_user, user_get_for_user
from sdrcrm.core.errors import Conflict, NotFound, ValidationFailed


def _int_param(request, name):
    value = request.query_params.get(name)
    if value in (None, ""):
        return None
    try:
        return int(value)
    except ValueError as error:
        raise ValidationFailed("Give a number.", field=name) from error


def _with_steps(queryset):
    return queryset.prefetch_related(
        Prefetch("steps", queryset=Step.objects.filter(archived_at__isnull=True), to_attr="live_steps")
    )


class CadenceCollectionApi(GenericAPIView):
    serializer_class = CadenceOut

    @extend_schema(responses=CadenceOut(many=True))
    def get(self, request):
        cadences = _with_steps(selectors.cadence_list_for_user(user=request.user))
        if request.query_params.get("is_active") in ("true", "1"):
            cadences = cadences.filter(is_active=True)
        page = self.paginate_queryset(cadences.order_by("name", "id"))
        return self.get_paginated_response(CadenceOut(page, many=True).data)

    @extend_schema(request=CadenceCreateIn, responses={201: CadenceOut})
    def post(self, request):
        selectors.require_cadence_writer(request.user)
        data = CadenceCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team_id = values.pop("team", None)
        team = request.user.team
        if request.user.is_admin and team_id is not None:
            team = Team.objects.filter(pk=team_id).first()
        if team is None:
            raise ValidationFailed("Give the team the cadence belongs to.", field="team")
        cadence = services.cadence_create(team=team, by=request.user, **values)
        return Response(CadenceOut(cadence).data, status=status.HTTP_201_CREATED)


class CadenceDetailApi(APIView):
    @extend_schema(responses=CadenceOut)
    def get(self, request, cadence_id: int):
        return Response(
            CadenceOut(selectors.cadence_get_for_user(user=request.user, cadence_id=cadence_id)).data
        )

    @extend_schema(request=CadenceUpdateIn, responses=CadenceOut)
    def patch(self, request, cadence_id: int):
        cadence = selectors.cadence_get_for_user(user=request.user, cadence_id=cadence_id)
        selectors.require_cadence_writer(request.user)
        data = CadenceUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        cadence = services.cadence_update(cadence=cadence, by=request.user, **data.validated_data)
        return Response(CadenceOut(cadence).data)


class CadenceEnrollApi(APIView):
    @extend_schema(request=EnrollIn, responses={200: dict})
    def post(self, request, cadence_id: int):
        cadence = selectors.cadence_get_for_user(user=request.user, cadence_id=cadence_id)
        require_role(request.user, Role.SDR, Role.BDR, Role.MANAGER, Role.ADMIN)
        data = EnrollIn(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(
            services.cadence_enroll(cadence=cadence, lead_ids=data.validated_data["leads"], by=request.user)
        )


class CadenceReportApi(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request, cadence_id: int):
        cadence = selectors.cadence_get_for_user(user=request.user, cadence_id=cadence_id)
        return Response({"cadence": cadence.pk, "steps": selectors.step_report(cadence=cadence)})


class EnrollmentCollectionApi(GenericAPIView):
    serializer_class = EnrollmentOut

    @extend_schema(
        parameters=[
            OpenApiParameter("lead", int),
            OpenApiParameter("cadence", int),
            OpenApiParameter("state", str),
        ],
        responses=EnrollmentOut(many=True),
    )
    def get(self, request):
        enrollments = selectors.enrollment_list_for_user(user=request.user)
        if (lead := _int_param(request, "lead")) is not None:
            enrollments = enrollments.filter(lead_id=lead)
        if (cadence := _int_param(request, "cadence")) is not None:
            enrollments = enrollments.filter(cadence_id=cadence)
        if state := request.query_params.get("state"):
            enrollments = enrollments.filter(state=state)
        page = self.paginate_queryset(enrollments.order_by("-created_at", "-id"))
        return self.get_paginated_response(EnrollmentOut(page, many=True).data)


class EnrollmentActionApi(APIView):
    action = ""

    @extend_schema(request=ExitIn, responses=EnrollmentOut)
    def post(self, request, enrollment_id: int):
        enrollment = selectors.enrollment_get_for_user(user=request.user, enrollment_id=enrollment_id)
        require_role(request.user, Role.SDR, Role.BDR, Role.MANAGER, Role.ADMIN)
        if self.action == "pause":
            services.enrollment_pause(enrollment=enrollment, by=request.user)
        elif self.action == "resume":
            services.enrollment_resume(enrollment=enrollment, by=request.user)
        else:
            data = ExitIn(data=request.data)
            data.is_valid(raise_exception=True)
            if not services.enrollment_exit(
                enrollment=enrollment, reason=data.validated_data["reason"], by=request.user
            ):
                raise Conflict("This enrollment has already ended.", field="state")
        enrollment.refresh_from_db()
        return Response(EnrollmentOut(enrollment).data)


class TouchCollectionApi(GenericAPIView):
    serializer_class = TouchOut

    @extend_schema(
        parameters=[
            OpenApiParameter("lead", int),
            OpenApiParameter("enrollment", int),
            OpenApiParameter("status", str),
        ],
        responses=TouchOut(many=True),
    )
    def get(self, request):
        touches = selectors.touch_list_for_user(user=request.user)
        if (lead := _int_param(request, "lead")) is not None:
            touches = touches.filter(lead_id=lead)
        if (enrollment := _int_param(request, "enrollment")) is not None:
            touches = touches.filter(enrollment_id=enrollment)
        if touch_status := request.query_params.get("status"):
            touches = touches.filter(status=touch_status)
        page = self.paginate_queryset(touches.order_by("due_at", "id"))
        return self.get_paginated_response(TouchOut(page, many=True).data)


class TouchActionApi(APIView):
    action = ""
    inputs = {
        "complete": TouchCompleteIn,
        "skip": TouchSkipIn,
        "reschedule": TouchRescheduleIn,
        "send": TouchSendIn,
    }

    @extend_schema(request=TouchCompleteIn, responses=TouchOut)
    def post(self, request, touch_id: int):
        touch = selectors.touch_get_for_user(user=request.user, touch_id=touch_id)
        selectors.require_touch_worker(request.user, touch)
        data = self.inputs[self.action](data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        if self.action == "complete":
            touch = services.touch_complete(
                touch=touch, outcome=values.get("outcome", ""), note=values["note"], by=request.user
            )
        elif self.action == "skip":
            touch = services.touch_skip(touch=touch, note=values["note"], by=request.user)
        elif self.action == "reschedule":
            touch = services.touch_reschedule(touch=touch, due_at=values["due_at"], by=request.user)
        else:
            touch = services.touch_send_manual(
                touch=touch, subject=values["subject"], body=values["body"], by=request.user
            )
        touch.refresh_from_db()
        return Response(TouchOut(touch).data)


class QueueApi(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("channel", str)],
        responses=inline_serializer(
            "QueuePage",
            {
                "count": serializers.IntegerField(),
                "next": serializers.CharField(allow_null=True),
                "previous": serializers.CharField(allow_null=True),
                "done_today": serializers.IntegerField(help_text="Touches done today, counted up to 1,000."),
                "daily_goal": serializers.IntegerField(),
                "results": QueueItemOut(many=True),
            },
        ),
    )
    def get(self, request):
        items = selectors.touch_queue_for_user(user=request.user, channel=request.query_params.get("channel"))
        return Response(
            {
                "count": len(items),
                "next": None,
                "previous": None,
                "done_today": selectors.touches_today(user=request.user),
                "daily_goal": request.user.team.daily_touch_goal if request.user.team_id else 0,
                "results": QueueItemOut(items, many=True).data,
            }
        )


class ReminderCollectionApi(GenericAPIView):
    serializer_class = ReminderOut

    @extend_schema(parameters=[OpenApiParameter("due", str)], responses=ReminderOut(many=True))
    def get(self, request):
        reminders = selectors.reminder_list_for_user(user=request.user).filter(
            owner=request.user, status="open"
        )
        if request.query_params.get("due") == "today":
            _start, end = selectors.day_bounds(request.user, timezone.now())
            reminders = reminders.filter(due_at__lt=end)
        page = self.paginate_queryset(reminders.order_by("due_at", "id"))
        return self.get_paginated_response(ReminderOut(page, many=True).data)

    @extend_schema(request=ReminderCreateIn, responses={201: ReminderOut})
    def post(self, request):
        data = ReminderCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        lead = Lead.objects.visible_to(request.user).filter(pk=data.validated_data["lead"]).first()
        if lead is None:
            raise NotFound("Lead not found.")
        reminder = services.reminder_create(
            lead=lead,
            owner=request.user,
            due_at=data.validated_data["due_at"],
            note=data.validated_data["note"],
            by=request.user,
        )
        return Response(ReminderOut(reminder).data, status=status.HTTP_201_CREATED)


class ReminderDoneApi(APIView):
    @extend_schema(request=None, responses=ReminderOut)
    def post(self, request, reminder_id: int):
        reminder = selectors.reminder_get_for_user(user=request.user, reminder_id=reminder_id)
        return Response(ReminderOut(services.reminder_done(reminder=reminder, by=request.user)).data)


class UserReassignApi(APIView):
    @extend_schema(request=ReassignIn, responses={200: dict})
    def post(self, request, user_id: int):
        rep = user_get_for_user(user=request.user, user_id=user_id)
        data = ReassignIn(data=request.data)
        data.is_valid(raise_exception=True)
        target = rep.__class__.objects.filter(pk=data.validated_data["to"], team_id=rep.team_id).first()
        if target is None:
            raise ValidationFailed("Pick an active rep of the same team.", field="to")
        return Response(services.rep_work_reassign(from_user=rep, to_user=target, by=request.user))


class InboundLeadApi(TeamApiKeyMixin, APIView):
    @extend_schema(request=InboundLeadIn, responses={201: InboundLeadOut})
    def post(self, request):
        data = InboundLeadIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = {k: v for k, v in data.validated_data.items() if v not in (None, "")}
        lead, result = services.inbound_lead_create(team=request.auth, values=values)
        lead.enrolled = bool(result and result["enrolled"])
        return Response(InboundLeadOut(lead).data, status=status.HTTP_201_CREATED)


class EmailEventApi(TeamApiKeyMixin, APIView):
    @extend_schema(request=EmailEventIn, responses={200: dict, 201: dict})
    def post(self, request):
        data = EmailEventIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        outcome = services.email_event_record(
            team=request.auth,
            type_=values["type"],
            email=values["email"],
            occurred_at=values.get("occurred_at"),
            until=values.get("until"),
        )
        return Response(
            {"id": outcome["event"].pk, "lead": outcome["lead"].pk, "applied": outcome["applied"]},
            status=status.HTTP_201_CREATED if outcome["applied"] else status.HTTP_200_OK,
        )


class SendingPolicyApi(APIView):
    """The team's cadence settings: per-rep daily email cap, per-company weekly touch cap, the
    default inbound cadence, the voicemail follow-up delay. Managers of the team and admins."""

    @extend_schema(responses=SendingPolicyOut)
    def get(self, request, team_id: int):
        team = team_get_for_user(user=request.user, team_id=team_id)
        return Response(SendingPolicyOut(services.policy_for(team.pk)).data)

    @extend_schema(request=SendingPolicyIn, responses=SendingPolicyOut)
    def patch(self, request, team_id: int):
        team = team_get_for_user(user=request.user, team_id=team_id)
        data = SendingPolicyIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        policy = services.sending_policy_update(team=team, by=request.user, **data.validated_data)
        return Response(SendingPolicyOut(policy).data)


class TouchResolveApi(APIView):
    """A manager's review of an `unknown` send (never resent by itself)."""

    @extend_schema(request=TouchResolveIn, responses=TouchOut)
    def post(self, request, touch_id: int):
        touch = selectors.touch_get_for_user(user=request.user, touch_id=touch_id)
        data = TouchResolveIn(data=request.data)
        data.is_valid(raise_exception=True)
        touch = services.touch_resolve_unknown(touch=touch, sent=data.validated_data["sent"], by=request.user)
        return Response(TouchOut(touch).data)
