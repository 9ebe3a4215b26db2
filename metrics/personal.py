"""A rep's own numbers against the team's goals, for their home page (Today for SDRs and BDRs) and the
top of /dashboard/ (AEs). "Today" and "this week" are the rep's own days (their time zone)."""

import datetime

from django.db.models import Count, Q, Sum
from django.utils import timezone

from handoffs.models import OPEN_STAGES, Handoff, HandoffStatus, MeetingOutcome, Opportunity, OpportunityStage
from leads.models import REP_TOUCH, Activity, ActivityKind, ActivityOutcome
from metrics.periods import local_midnight, zone_named
from metrics.selectors import money, rate

WORKDAYS_PER_WEEK = 5


def my_numbers(*, user, now: datetime.datetime | None = None) -> dict:
    now = now or timezone.now()
    zone = zone_named(user.timezone)
    today = now.astimezone(zone).date()
    monday = today - datetime.timedelta(days=today.weekday())
    month_start = today.replace(day=1)
    day_at, week_at, month_at = (local_midnight(day, zone) for day in (today, monday, month_start))
    day_end = local_midnight(today + datetime.timedelta(days=1), zone)
    week_end = local_midnight(monday + datetime.timedelta(days=7), zone)
    today_only = Q(created_at__gte=day_at, created_at__lt=day_end)
    goal = user.team.daily_touch_goal if user.team_id else 0
    numbers = {
        "role": user.effective_role,
        "today": today,
        "week_start": monday,
        "daily_goal": goal,
        "weekly_goal": goal * WORKDAYS_PER_WEEK,
    }
    if user.is_prospector:
        touches = Activity.objects.filter(
            REP_TOUCH, actor=user, created_at__gte=week_at, created_at__lt=week_end
        ).aggregate(
            today=Count("pk", filter=today_only),
            week=Count("pk"),
            calls_today=Count("pk", filter=today_only & Q(kind=ActivityKind.CALL)),
            connects_today=Count(
                "pk", filter=today_only & Q(kind=ActivityKind.CALL, outcome=ActivityOutcome.CONNECTED)
            ),
        )
        created = Q(created_at__gte=week_at, created_at__lt=week_end)
        decided = Q(decided_at__gte=week_at, decided_at__lt=week_end)
        met = Q(meeting_outcome_at__gte=week_at, meeting_outcome_at__lt=week_end)
        week = (
            Handoff.objects.filter(sdr=user)
            .filter(created | decided | met)
            .aggregate(
                sqls=Count("pk", filter=created),
                accepted=Count("pk", filter=decided & Q(status=HandoffStatus.ACCEPTED)),
                rejected=Count("pk", filter=decided & Q(status=HandoffStatus.REJECTED)),
                meetings_booked=Count("pk", filter=created & Q(meeting_at__isnull=False)),
                meetings=Count("pk", filter=met & Q(meeting_outcome=MeetingOutcome.HELD)),
            )
        )
        numbers.update(
            touches_today=touches["today"],
            touches_week=touches["week"],
            calls_today=touches["calls_today"],
            connects_today=touches["connects_today"],
            goal_share_today=rate(touches["today"], goal),
            **week,
        )
    elif user.is_ae:
        handoffs = Handoff.objects.filter(ae=user).aggregate(
            pending=Count("pk", filter=Q(status=HandoffStatus.PENDING)),
            breached=Count("pk", filter=Q(status=HandoffStatus.PENDING, sla_due_at__lt=now)),
            accepted=Count("pk", filter=Q(decided_at__gte=month_at, status=HandoffStatus.ACCEPTED)),
            rejected=Count("pk", filter=Q(decided_at__gte=month_at, status=HandoffStatus.REJECTED)),
        )
        deals = Opportunity.objects.filter(owner=user).aggregate(
            open_count=Count("pk", filter=Q(stage__in=list(OPEN_STAGES))),
            open_amount=Sum("amount", filter=Q(stage__in=list(OPEN_STAGES))),
            won_count=Count("pk", filter=Q(stage=OpportunityStage.WON, closed_at__gte=month_at)),
            won_amount=Sum("amount", filter=Q(stage=OpportunityStage.WON, closed_at__gte=month_at)),
        )
        numbers.update(
            **handoffs,
            acceptance_rate=rate(handoffs["accepted"], handoffs["accepted"] + handoffs["rejected"]),
            open_opportunities=deals["open_count"],
            open_pipeline=money(deals["open_amount"]),
            won_deals=deals["won_count"],
            won_revenue=money(deals["won_amount"]),
        )
    return numbers
