"""The demo team: SDRs, BDRs, AEs and a manager from the four languages of our first customers."""

from sdrcrm.accounts.models import Role, User
from sdrcrm.accounts.services import team_create, user_create

DEMO_TEAM_NAME = "Nordlys Sales"
DEMO_PASSWORD = "demo"  # noqa: S105 - a demo login, printed on purpose
# username, first name, last name, role, time zone
DEMO_USERS = [
    ("maria", "Maria", "Tamm", Role.MANAGER, "Europe/Tallinn"),
    ("kadri", "Kadri", "Kask", Role.SDR, "Europe/Tallinn"),
    ("anna", "Анна", "Смирнова", Role.SDR, "Europe/Moscow"),
    ("wei", "伟", "王", Role.SDR, "Asia/Shanghai"),
    ("minjun", "민준", "김", Role.BDR, "Asia/Seoul"),
    ("jaan", "Jaan", "Õunapuu", Role.BDR, "Europe/Tallinn"),
    ("dmitri", "Дмитрий", "Иванов", Role.AE, "Europe/Moscow"),
    ("seoyeon", "서연", "이", Role.AE, "Asia/Seoul"),
    ("li", "丽", "李", Role.AE, "Asia/Shanghai"),
    ("admin", "Ada", "Admin", Role.ADMIN, "UTC"),
]


def seed(context: dict) -> None:
    team, _key = team_create(
        name=DEMO_TEAM_NAME, mql_threshold=60, handoff_sla_hours=24, speed_to_lead_minutes=30
    )
    users = {}
    for username, first, last, role, tz in DEMO_USERS:
        users[username] = user_create(
            username=username,
            password=DEMO_PASSWORD,
            role=role,
            team=team,
            email=f"{username}@nordlys.example",
            first_name=first,
            last_name=last,
            timezone_name=tz,
            validate=False,
        )
    User.objects.filter(username="admin").update(is_staff=True, is_superuser=True)
    context["team"] = team
    context["users"] = users
