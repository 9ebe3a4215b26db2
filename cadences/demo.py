"""Demo data: the seeds' outbound cadence and a fast inbound one, every rep with a full Today queue
(calls, manual emails, LinkedIn steps, reminders; some overdue), a few automatic first emails for the
dispatcher to send, and the team's sending policy."""

import datetime
import random

from django.utils import timezone

from cadences.models import Enrollment, Reminder, Step, TeamSendingPolicy, Touch, TouchStatus
from cadences.services import cadence_create, cadence_enroll
from leads.models import Lead
from sdrcrm.accounts.models import Role

SEED_CADENCE = [
    {"channel": "email", "wait_days": 0, "subject": "{{company}} and faster follow-up",
     "body": "Hi {{first_name}},\n\nTeams like {{company}} lose most inbound interest in the first hours. "
             "We help SDRs answer in minutes, not days.\n\nWorth a 15-minute look next week?\n\n{{sender_name}}"},
    {"channel": "linkedin", "wait_days": 0, "instructions": "Connect with a short note; mention their role ({{title}})."},
    {"channel": "email", "wait_days": 2, "subject": "Re: {{company}} and faster follow-up",
     "body": "Hi {{first_name}}, bringing this back up: one idea for {{company}} — route every web lead to the "
             "next free rep automatically.\n\n{{sender_name}}"},
    {"channel": "manual_email", "wait_days": 3, "subject": "A thought for you, {{first_name}}",
     "body": "Hi {{first_name}},\n\nI looked at how {{company}} handles inbound demo requests. "
             "[one line of research]\n\nOpen to comparing notes?\n\n{{sender_name}}"},
    {"channel": "call", "wait_days": 2, "instructions": "Call; if no answer, leave a 20-second voicemail pointing to the email."},
    {"channel": "email", "wait_days": 0, "subject": "After my call today",
     "body": "Hi {{first_name}}, following my call today, the short version in writing: faster follow-up for "
             "{{company}}, every web lead answered within minutes. Reply with a good time for 15 minutes?"
             "\n\n{{sender_name}}"},
    {"channel": "manual_email", "wait_days": 3, "subject": "{{first_name}}, worth a look?",
     "body": "Hi {{first_name}},\n\nA customer close to {{company}} cut speed-to-lead from 9 hours to 6 minutes.\n\n{{sender_name}}"},
    {"channel": "call", "wait_days": 3, "instructions": "Second call; ask for the right person if it is not them."},
    {"channel": "email", "wait_days": 4, "subject": "Closing the loop",
     "body": "Hi {{first_name}},\n\nI have not heard back, so I will stop here. If faster follow-up becomes a "
             "priority at {{company}}, just reply to this email.\n\nAll the best,\n{{sender_name}}"},
]  # fmt: skip

INBOUND_CADENCE = [
    {"channel": "call", "wait_days": 0, "instructions": "Call within 5 minutes of the form: they are at their desk."},
    {"channel": "manual_email", "wait_days": 0, "subject": "Thanks for reaching out, {{first_name}}",
     "body": "Hi {{first_name}},\n\nThanks for your request. When suits you for a 20-minute call?\n\n{{sender_name}}"},
    {"channel": "call", "wait_days": 1, "instructions": "Second call attempt."},
    {"channel": "email", "wait_days": 2, "subject": "Your request at {{company}}",
     "body": "Hi {{first_name}}, following up on your request — happy to help whenever suits.\n\n{{sender_name}}"},
    {"channel": "linkedin", "wait_days": 2, "instructions": "Connect and reference their request."},
]  # fmt: skip

AUTOMATIC_EMAIL_EVERY = 10  # one outbound enrollment in this many stays on its first, automatic email

PEOPLE = [
    ("Liis", "Mets", "Head of Sales", "Pipedrive Labs", "Europe/Tallinn"),
    ("Marko", "Saar", "VP Revenue", "Bolt Freight", "Europe/Tallinn"),
    ("Ольга", "Кузнецова", "Директор по продажам", "СеверСофт", "Europe/Moscow"),
    ("Игорь", "Петров", "Head of Growth", "Арктика Лаб", "Europe/Moscow"),
    ("芳", "张", "销售总监", "云帆科技", "Asia/Shanghai"),
    ("磊", "刘", "市场副总裁", "星河数据", "Asia/Shanghai"),
    ("지민", "박", "영업 이사", "한빛 소프트", "Asia/Seoul"),
    ("현우", "최", "CRO", "누리 클라우드", "Asia/Seoul"),
    ("Emily", "Carter", "Director of Sales Development", "Northwind Analytics", "America/New_York"),
    ("James", "Okafor", "Head of Inside Sales", "Brightline HR", "America/New_York"),
    ("Sofia", "Lindqvist", "Sales Operations Lead", "Fjord Payments", "Europe/Stockholm"),
    ("Tomas", "Novak", "VP Sales", "Vltava Logistics", "Europe/Prague"),
]


def _leads_for(context, team, rep, rng, count):
    existing = [lead for lead in context.get("leads", []) if getattr(lead, "owner_id", None) == rep.pk]
    if len(existing) >= count:
        return existing[:count]
    leads = list(existing)
    for index in range(count - len(existing)):
        first, last, title, company, zone = PEOPLE[(rep.pk * 7 + index) % len(PEOPLE)]
        slug = "".join(ch for ch in company.lower() if ch.isascii() and ch.isalnum()) or f"co{index}"
        email = f"{rep.username}.{index}@{slug}.example"
        score = rng.choice([92, 85, 78, 71, 66, 58, 47, 35])
        leads.append(
            Lead.objects.create(
                team=team, owner=rep, first_name=first, last_name=last, title=title, company=company,
                email=email, timezone=zone, score=score, grade="A" if score >= 80 else "B" if score >= 60 else "C" if score >= 40 else "D",
                email_kind="corporate", source=rng.choice(["outbound", "outbound", "inbound", "list"]),
                phone=f"+372 5{rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                linkedin_url=f"https://www.linkedin.com/in/{rep.username}-{index}",
            )
        )  # fmt: skip
    return leads


def seed(context: dict) -> None:
    team, users = context["team"], context["users"]
    rng = random.Random(context.get("seed", 2026))
    manager = next((u for u in users.values() if u.role == Role.MANAGER), None)
    author = manager or next(iter(users.values()))
    outbound = cadence_create(
        team=team, by=author, name="Outbound — the seeds' cadence", steps=SEED_CADENCE,
        description="Day 1 email + LinkedIn, day 3 email, a follow-up, a call (voicemail if no answer) plus an "
                    "email, two more follow-ups, then a break-up email.",
    )  # fmt: skip
    inbound = cadence_create(
        team=team, by=author, name="Inbound — same-day follow-up", steps=INBOUND_CADENCE,
        description="For web-form leads: call in minutes, then email, then keep trying for a week.",
    )  # fmt: skip
    TeamSendingPolicy.objects.update_or_create(
        team=team,
        defaults={"daily_send_cap": 150, "account_touch_cap": 6, "default_inbound_cadence": inbound},
    )
    now = timezone.now()
    outbound_steps = list(Step.objects.filter(cadence=outbound).order_by("position"))
    manual_positions = [s for s in outbound_steps if s.channel in ("call", "linkedin", "manual_email")]
    reps = [u for u in users.values() if u.role in (Role.SDR, Role.BDR)]
    for rep in reps:
        leads = _leads_for(context, team, rep, rng, 24)
        inbound_leads, outbound_leads = leads[:4], leads[4:]
        cadence_enroll(cadence=inbound, lead_ids=[lead.pk for lead in inbound_leads], by=rep, now=now)
        cadence_enroll(cadence=outbound, lead_ids=[lead.pk for lead in outbound_leads], by=rep, now=now)
        # Move outbound enrollments to a later, hands-on step so the queue shows every kind of work; every
        # tenth stays on the first step, an automatic email the dispatcher sends in the lead's next window
        # (the demo writes it under var/mail/).
        for index, enrollment in enumerate(
            Enrollment.objects.filter(cadence=outbound, lead__in=outbound_leads).order_by("pk")
        ):
            if index % AUTOMATIC_EMAIL_EVERY == AUTOMATIC_EMAIL_EVERY - 1:
                continue
            step = manual_positions[index % len(manual_positions)]
            first = Touch.objects.get(enrollment=enrollment)
            if step.position == first.step.position:
                continue
            started = now - datetime.timedelta(days=step.position + 2)
            Touch.objects.filter(pk=first.pk).update(
                status=TouchStatus.DONE, outcome="sent", completed_at=started, due_at=started,
                send_started_at=started, message_id=f"<demo-{first.pk}@nordlys.example>", subject="(demo)",
            )  # fmt: skip
            overdue = index % 5 == 0
            due_at = (
                now - datetime.timedelta(days=1, hours=2)
                if overdue
                else now - datetime.timedelta(minutes=5 * index)
            )
            Touch.objects.create(
                team=team, enrollment=enrollment, lead=enrollment.lead, step=step, owner=rep,
                channel=step.channel, due_at=due_at,
            )  # fmt: skip
        for lead in inbound_leads:
            Touch.objects.filter(lead=lead, status=TouchStatus.SCHEDULED).update(
                due_at=now - datetime.timedelta(minutes=rng.randint(3, 90))
            )
        for lead, note in zip(
            leads[-2:], ["Call back after their board meeting", "Send the case study"], strict=True
        ):
            Reminder.objects.create(
                team=team, lead=lead, owner=rep, note=note,
                due_at=now - datetime.timedelta(minutes=rng.randint(10, 120)), created_by=rep,
            )  # fmt: skip
    context["cadences"] = {"outbound": outbound, "inbound": inbound}
