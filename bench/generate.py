"""The seeded, reproducible data generator: fills the bench database with COPY.

    python -m bench.generate --small                 # 10,000 leads, 50,000 activities
    python -m bench.generate                         # the reference set: 1M leads, 5M activities
    python -m bench.generate --leads N --activities N --seed S --ceiling-rows N

Parts: `ceiling` (the ceiling table, 1M rows by default) and `leads` (1 team: 50 SDRs, 15 AEs and a
manager; companies, leads, activities). A part whose size and seed are already loaded is skipped.

The real tables of `manage.py migrate` are filled: the columns are read from the models and the
database at run time, so a column another app adds later is filled from its default (NULL when
nullable, '' / 0 / false / '{}' / now otherwise). Secondary indexes and foreign-key triggers are
off while the rows stream in and rebuilt afterwards: this is a loader, not the product's import.
"""

import argparse
import datetime
import io
import json
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from bench.env import REFERENCE_LEADS, apply_environ, database_name, prepare

NULL = r"\N"
CHUNK = 50_000
# Bump when the generated rows change: a data set of an older version is regenerated.
GENERATOR_VERSION = 2
UTC = datetime.UTC
# Reproducible: times are laid out over the year before this instant, not before "now".
END = datetime.datetime(2026, 11, 1, tzinfo=UTC).timestamp()
YEAR = 365 * 86400
DAY = 86400

FIRST_NAMES = [
    ("Mari", "mari"), ("Jüri", "juri"), ("Tõnu", "tonu"), ("Kätlin", "katlin"), ("Liis", "liis"),
    ("Иван", "ivan"), ("Ольга", "olga"), ("Дмитрий", "dmitri"), ("Анна", "anna"),
    ("伟", "wei"), ("芳", "fang"), ("娜", "na"), ("静", "jing"),
    ("민준", "minjun"), ("서연", "seoyeon"), ("지훈", "jihoon"),
    ("Emma", "emma"), ("Liam", "liam"), ("Olivia", "olivia"), ("Noah", "noah"), ("Sophia", "sophia"),
    ("Lukas", "lukas"), ("Léa", "lea"), ("Mateo", "mateo"), ("Sofía", "sofia"), ("James", "james"),
    ("Aisha", "aisha"), ("Ravi", "ravi"), ("Priya", "priya"), ("Chen", "chen"), ("Hannah", "hannah"),
]  # fmt: skip
LAST_NAMES = [
    ("Tamm", "tamm"), ("Saar", "saar"), ("Sepp", "sepp"), ("Mägi", "magi"), ("Kask", "kask"),
    ("Иванов", "ivanov"), ("Смирнова", "smirnova"), ("Кузнецов", "kuznetsov"),
    ("王", "wang"), ("李", "li"), ("张", "zhang"), ("刘", "liu"),
    ("김", "kim"), ("이", "lee"), ("박", "park"),
    ("Smith", "smith"), ("Johnson", "johnson"), ("Müller", "muller"), ("García", "garcia"),
    ("Rossi", "rossi"), ("Dubois", "dubois"), ("Nowak", "nowak"), ("Patel", "patel"), ("Brown", "brown"),
]  # fmt: skip
# country, weight, phone prefix, time zones
COUNTRIES = [
    ("US", 30, "+1", ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]),
    ("GB", 10, "+44", ["Europe/London"]),
    ("DE", 10, "+49", ["Europe/Berlin"]),
    ("EE", 6, "+372", ["Europe/Tallinn"]),
    ("FR", 6, "+33", ["Europe/Paris"]),
    ("NL", 4, "+31", ["Europe/Amsterdam"]),
    ("CA", 5, "+1", ["America/Toronto", "America/Vancouver"]),
    ("AU", 4, "+61", ["Australia/Sydney"]),
    ("KR", 5, "+82", ["Asia/Seoul"]),
    ("CN", 5, "+86", ["Asia/Shanghai"]),
    ("JP", 3, "+81", ["Asia/Tokyo"]),
    ("IN", 5, "+91", ["Asia/Kolkata"]),
    ("BR", 4, "+55", ["America/Sao_Paulo"]),
    ("ES", 3, "+34", ["Europe/Madrid"]),
]
INDUSTRIES = [
    "Software", "Fintech", "Healthcare", "Manufacturing", "Retail", "Logistics", "Education",
    "Telecom", "Energy", "Insurance", "Media", "Real estate", "Cybersecurity", "E-commerce",
]  # fmt: skip
COMPANY_WORDS = [
    "Acme", "Nordic", "Blue", "Vertex", "Atlas", "Bright", "Cobalt", "Delta", "Ember", "Falcon",
    "Granite", "Harbor", "Iron", "Juniper", "Kite", "Lumen", "Maple", "Nova", "Orbit", "Pioneer",
    "Quartz", "River", "Summit", "Tidal", "Union", "Vivid", "Willow", "Zenith", "Baltic", "Aurora",
]  # fmt: skip
COMPANY_SUFFIXES = ["Labs", "Systems", "Group", "Software", "Logistics", "Health", "Analytics", "Works", "AS", "GmbH", "Ltd", "Inc"]  # fmt: skip
TLDS = ["com", "io", "ee", "de", "co.uk", "fr", "net", "ai", "kr", "cn"]
FREE_MAIL = ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "mail.ru", "naver.com", "qq.com", "icloud.com", "proton.me"]  # fmt: skip
TITLES = [
    "CEO", "CTO", "VP Sales", "VP Engineering", "Head of Marketing", "Sales Manager", "Engineering Manager",
    "Product Manager", "Operations Director", "IT Manager", "Founder", "CFO", "Procurement Lead",
    "Software Engineer", "Marketing Specialist", "Head of Revenue Operations",
]  # fmt: skip
SOURCES = (["outbound", "inbound", "list", "event", "referral"], [45, 25, 18, 7, 5])
STATUSES = (["new", "working", "nurture", "disqualified", "handed_off", "converted"], [35, 30, 12, 15, 5, 3])
DISQUALIFY_REASONS = ["No budget", "Not a fit", "Competitor customer", "Left the company", "Bad data"]
ACTIVITY_KINDS = (
    ["call", "email", "linkedin", "note", "status", "stage", "meeting", "task", "system"],
    [34, 34, 10, 8, 7, 3, 2, 1, 1],
)
CALL_OUTCOMES = (["no_answer", "voicemail", "connected", "wrong_number"], [55, 25, 15, 5])
NOTES = [
    "Asked to call back next quarter.", "Uses a competitor, contract ends in March.",
    "Interested in the API integration.", "Gatekeeper: try the direct line.", "Budget approved for Q1.",
    "Wants a demo with the team lead.", "Sent pricing sheet.", "Not the decision maker; referred to the CTO.",
]  # fmt: skip
SUBJECTS = [
    "Quick question about your pipeline", "Following up", "Idea for your SDR team", "Re: our call",
    "Worth a 15-minute chat?", "Case study: 3x meetings booked",
]  # fmt: skip


ICP = {
    "name": "Mid-market software (bench)",
    "industries": ["Software", "Fintech", "Cybersecurity", "E-commerce"],
    "employee_min": 50,
    "employee_max": 2000,
    "countries": ["US", "GB", "DE", "EE", "NL"],
    "title_keywords": ["vp", "head", "director", "chief", "founder", "cto", "ceo"],
    "weights": {"industry": 30, "employees": 25, "country": 20, "title": 25},
}
QUALIFICATION = {
    "budget": ["Approved for Q1", "€20–50k this year", "Needs CFO sign-off", "Unknown"],
    "authority": ["Decision maker", "Champion, reports to the VP", "Influencer", "Economic buyer"],
    "need": [
        "Reps lose leads between tools.",
        "Wants one queue for calls and emails.",
        "Slow handoffs to AEs.",
    ],
    "timeline": ["This quarter", "Next quarter", "After the budget cycle", "No rush"],
    "users": ["5 SDRs", "12 SDRs, 4 AEs", "30 reps", "2 founders doing sales"],
    "decision_process": ["Trial, then security review.", "Committee of three.", "Founder decides alone."],
    "research_notes": [
        "Hiring SDRs on LinkedIn.",
        "Raised a Series B in spring.",
        "Uses a legacy CRM.",
        "New VP Sales since June.",
    ],
}


def phone_prefixes() -> dict[str, str]:
    """Per country, a real number pattern (E.164) minus its last 4 digits: possible and valid numbers."""
    try:
        import phonenumbers
    except ImportError:
        return {c[0]: c[2] + "20155" for c in COUNTRIES}
    prefixes = {}
    for country, *_ in COUNTRIES:
        example = phonenumbers.example_number(country)
        prefixes[country] = f"+{example.country_code}{str(example.national_number)[:-4]}"
    return prefixes


def scorer() -> Callable[[str, str, str, str], tuple[str, str, str]]:
    """(score, grade, explanation JSON) from the product's own ICP scoring when it exists."""
    try:
        from leads import scoring
    except ImportError:
        scoring = None
    if scoring is None or not hasattr(scoring, "score_lead"):
        return lambda industry, size, country, title: ("0", "D", "[]")
    profile = scoring.Profile.build(**{k: v for k, v in ICP.items() if k != "name"})
    cache: dict[tuple, tuple[str, str, str]] = {}

    def score(industry: str, size: str, country: str, title: str) -> tuple[str, str, str]:
        key = (industry, size, country, title)
        if key not in cache:
            value, grade, explanation = scoring.score_lead(
                profile, industry=industry, employee_count=int(size), country=country, title=title
            )
            cache[key] = (str(value), grade, copy_text(json.dumps(explanation, ensure_ascii=False)))
        return cache[key]

    return score


def create_icp(team) -> None:
    from django.apps import apps

    try:
        model = apps.get_model("leads", "IcpProfile")
    except LookupError:
        return
    model.objects.create(team=team, is_active=True, **ICP)


def ts(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(int(epoch), UTC).isoformat(sep=" ")


def copy_text(value) -> str:
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, dict | list):
        value = json.dumps(value)
    elif isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    else:
        value = str(value)
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def field_constant(field) -> str | None:
    """The COPY text for a column the generator does not know; None leaves it to the database default."""
    from django.db.models import NOT_PROVIDED, JSONField
    from django.utils import timezone

    if field.primary_key:
        return None
    if field.has_default():
        value = field.get_default()
        if isinstance(field, JSONField):
            return copy_text(json.dumps(value))
        if hasattr(value, "pk"):
            value = value.pk
        return copy_text(value)
    if getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
        return None
    if field.null:
        return NULL
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return copy_text(timezone.now())
    if field.is_relation:
        raise SystemExit(
            f"{field.model.__name__}.{field.name} is a NOT NULL relation without a default: "
            "teach bench/generate.py how to fill it."
        )
    if field.choices:
        return copy_text(field.choices[0][0])
    kind = field.get_internal_type()
    if kind == "JSONField":
        return "{}"
    if kind == "BooleanField":
        return "f"
    if kind in {"DateTimeField"}:
        return copy_text(timezone.now())
    if kind == "DateField":
        return copy_text(timezone.now().date())
    if kind.endswith("IntegerField") or kind in {"FloatField", "DecimalField", "DurationField"}:
        return "0"
    if kind == "UUIDField":
        raise SystemExit(f"{field.model.__name__}.{field.name}: a NOT NULL UUID without a default")
    return ""


class Loader:
    """COPYs generated column lists into a model's table; columns it does not generate get defaults."""

    def __init__(self, cursor, model):
        from django.db import connection

        self.cursor = cursor
        self.model = model
        self.table = model._meta.db_table
        with connection.cursor() as introspect:
            self.db_columns = {
                column.name
                for column in connection.introspection.get_table_description(introspect, self.table)
            }
        self.fields = {f.column: f for f in model._meta.concrete_fields if f.column in self.db_columns}

    def columns(self, generated: dict[str, list[str]]) -> tuple[list[str], list[list[str] | str]]:
        names, values = [], []
        unknown = sorted(set(generated) - self.db_columns)
        if unknown and not getattr(self, "_warned", False):
            print(f"  {self.table} has no {unknown} (any more): not filled", flush=True)
            self._warned = True
        for column, field in self.fields.items():
            if column in generated:
                names.append(column)
                values.append(generated[column])
            else:
                constant = field_constant(field)
                if constant is not None:
                    names.append(column)
                    values.append(constant)
        return names, values

    def load(self, chunks: Iterator[dict[str, list[str]]], total: int, label: str) -> float:
        """Streams every chunk into COPY. Returns the seconds taken (generation + COPY)."""
        started = time.perf_counter()
        done = 0
        for generated in chunks:
            count = len(next(iter(generated.values())))
            names, values = self.columns(generated)
            lists = [v if isinstance(v, list) else [v] * count for v in values]
            buffer = io.StringIO()
            buffer.writelines("\t".join(row) + "\n" for row in zip(*lists, strict=True))
            buffer.seek(0)
            self.cursor.copy_expert(f"COPY {self.table} ({', '.join(names)}) FROM STDIN", buffer)
            done += count
            elapsed = time.perf_counter() - started
            if done == total or done % (CHUNK * 20) == 0:
                print(f"  {label}: {done:,}/{total:,} rows, {done / elapsed:,.0f} rows/s", flush=True)
        return time.perf_counter() - started


@contextmanager
def bulk_load(cursor, tables: list[str]):
    """Secondary indexes dropped and foreign-key triggers off while loading; both restored after."""
    saved = []
    for table in tables:
        cursor.execute(
            """
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = %s AND i.schemaname = current_schema()
              AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)
            """,
            [table, table],
        )
        saved += cursor.fetchall()
    for name, _definition in saved:
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    cursor.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SET maintenance_work_mem = '1GB'")
        started = time.perf_counter()
        for name, definition in saved:
            cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            print(f"  index {name} rebuilt", flush=True)
        for table in tables:
            cursor.execute(f"ANALYZE {table}")
        print(f"  indexes + ANALYZE: {time.perf_counter() - started:.1f} s", flush=True)


def reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)"
    )


def already_loaded(part: str, params: dict) -> dict | None:
    """What an earlier run loaded for this part with these parameters (rows/s of that run), or None."""
    from bench.ceiling.models import DataSet

    found = DataSet.objects.filter(part=part).first()
    if found is None or found.params != params:
        return None
    return {
        "part": part,
        "skipped": True,
        **params,
        "loaded_at": found.finished_at.isoformat(),
        "rows_loaded": found.rows,
        "rows_per_s_when_loaded": found.rows / found.seconds if found.seconds else None,
    }


def mark_loaded(part: str, params: dict, rows: int, seconds: float) -> None:
    from django.utils import timezone

    from bench.ceiling.models import DataSet

    DataSet.objects.update_or_create(
        part=part,
        defaults={"params": params, "rows": rows, "seconds": seconds, "finished_at": timezone.now()},
    )


def chunked(total: int, make: Callable[[int, int], dict[str, list[str]]]) -> Iterator[dict[str, list[str]]]:
    for start in range(0, total, CHUNK):
        yield make(start, min(CHUNK, total - start))


# --- the ceiling table ----------------------------------------------------------------------------


def load_ceiling(*, rows: int, seed: int) -> dict:
    from django.db import connection

    from bench.ceiling.models import CEILING_TEAMS, CeilingRow, DataSet

    params = {"rows": rows, "seed": seed}
    if earlier := already_loaded("ceiling", params):
        print(f"ceiling: {rows:,} rows (seed {seed}) already loaded, skipped")
        return earlier
    rng = random.Random(f"ceiling-{seed}")
    table = CeilingRow._meta.db_table

    def make(start: int, count: int) -> dict[str, list[str]]:
        ids = range(start + 1, start + count + 1)
        names = [
            f"{rng.choice(FIRST_NAMES)[0]} {rng.choice(LAST_NAMES)[0]}" for _ in range(count)
        ]  # Unicode on purpose
        return {
            "id": [str(i) for i in ids],
            "team_id": [str(i % CEILING_TEAMS + 1) for i in ids],
            "name": names,
            "email": [f"person{i}@example{i % 997}.com" for i in ids],
            "created_at": [ts(END - YEAR + YEAR * i / rows + rng.uniform(-DAY, DAY)) for i in ids],
        }

    DataSet.objects.filter(part="ceiling").delete()
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {table} RESTART IDENTITY")
        with bulk_load(cursor, [table]):
            seconds = Loader(cursor, CeilingRow).load(chunked(rows, make), rows, "ceiling rows")
        reset_sequence(cursor, table)
    mark_loaded("ceiling", params, rows, seconds)
    print(f"ceiling: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s (COPY)")
    return {
        "part": "ceiling",
        "skipped": False,
        "rows": rows,
        "seconds": seconds,
        "rows_per_s": rows / seconds,
    }


# --- the leads domain ------------------------------------------------------------------------------

BENCH_TEAM = "Bench team"
SDRS, AES = 50, 15


def wipe_leads_domain(cursor) -> None:
    """The bench database only: removes the team, its people and everything that hangs off them."""
    from django.db import connection

    if not connection.settings_dict["NAME"].startswith("sdrcrm_bench"):
        raise SystemExit(f"refusing to wipe {connection.settings_dict['NAME']}: not a bench database")
    from leads.models import Activity, Company, Lead
    from sdrcrm.accounts.models import Team, User

    tables = [m._meta.db_table for m in (Activity, Lead, Company, User, Team)]
    cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def create_people(seed: int):
    """The team of ARCHITECTURE.md: 50 SDRs, 15 AEs and a manager, with Unicode names."""
    from django.contrib.auth.hashers import make_password

    from bench.env import BENCH_PASSWORD
    from sdrcrm.accounts.models import Role, Team, User

    rng = random.Random(f"people-{seed}")
    team = Team.objects.create(name=BENCH_TEAM)
    password = make_password(BENCH_PASSWORD)  # hashed once: 66 users share it
    zones = ["Europe/Tallinn", "Europe/Berlin", "America/New_York", "Asia/Seoul", "Europe/London"]

    def person(username: str, role: str) -> User:
        return User(
            username=username,
            password=password,
            first_name=rng.choice(FIRST_NAMES)[0],
            last_name=rng.choice(LAST_NAMES)[0],
            email=f"{username}@bench.sdrcrm.test",
            role=role,
            team=team,
            timezone=rng.choice(zones),
        )

    people = [person("bench-manager", Role.MANAGER)]
    people += [person(f"bench-sdr-{n:02d}", Role.SDR) for n in range(1, SDRS + 1)]
    people += [person(f"bench-ae-{n:02d}", Role.AE) for n in range(1, AES + 1)]
    User.objects.bulk_create(people)
    by_role = {role: list(User.objects.filter(team=team, role=role).order_by("id").values_list("id", flat=True))
               for role in (Role.SDR, Role.AE)}  # fmt: skip
    return team, by_role[Role.SDR], by_role[Role.AE]


def load_leads(*, leads: int, activities: int, seed: int) -> dict:
    from django.db import connection

    from leads.models import Activity, Company, Lead

    params = {
        "leads": leads,
        "activities": activities,
        "seed": seed,
        "sdrs": SDRS,
        "aes": AES,
        "version": GENERATOR_VERSION,
    }
    if earlier := already_loaded("leads", params):
        print(f"leads: {leads:,} leads / {activities:,} activities (seed {seed}) already loaded, skipped")
        return earlier
    from bench.ceiling.models import DataSet

    DataSet.objects.filter(part="leads").delete()
    with connection.cursor() as cursor:
        wipe_leads_domain(cursor)
    team, sdr_ids, _ae_ids = create_people(seed)
    create_icp(team)
    score_of = scorer()
    phones = phone_prefixes()
    rng = random.Random(f"leads-{seed}")
    n_companies = max(10, leads // 10)
    country_names = [c[0] for c in COUNTRIES]
    country_weights = [c[1] for c in COUNTRIES]
    country_info = {c[0]: c for c in COUNTRIES}

    # Companies: kept in memory (n/10 rows) so that leads copy their firmographics.
    comp_country = rng.choices(country_names, country_weights, k=n_companies)
    comp_industry = [rng.choice(INDUSTRIES) for _ in range(n_companies)]
    comp_size = [str(int(rng.paretovariate(1.2) * 10)) for _ in range(n_companies)]
    comp_name, comp_domain = [], []
    for i in range(n_companies):
        word, suffix = rng.choice(COMPANY_WORDS), rng.choice(COMPANY_SUFFIXES)
        comp_name.append(f"{word} {suffix} {i + 1}")
        comp_domain.append(f"{word.lower()}{suffix.lower()}{i + 1}.{rng.choice(TLDS)}")
    team_id = str(team.id)
    started = time.perf_counter()
    report = {"part": "leads", "skipped": False, **params, "tables": {}}

    def make_companies(start: int, count: int) -> dict[str, list[str]]:
        idx = range(start, start + count)
        return {
            "id": [str(i + 1) for i in idx],
            "team_id": [team_id] * count,
            "name": [comp_name[i] for i in idx],
            "domain": [comp_domain[i] for i in idx],
            "industry": [comp_industry[i] for i in idx],
            "employee_count": [comp_size[i] for i in idx],
            "country": [comp_country[i] for i in idx],
            "created_at": [ts(END - YEAR - rng.uniform(0, YEAR)) for _ in idx],
        }

    lead_created: list[float] = []
    lead_owner: list[int | None] = []
    owner_share = 0.8

    def make_leads(start: int, count: int) -> dict[str, list[str]]:
        cols: dict[str, list[str]] = {
            name: []
            for name in (
                "id", "team_id", "owner_id", "account_id", "first_name", "last_name", "email", "phone",
                "title", "company", "company_domain", "industry", "employee_count", "country", "timezone",
                "linkedin_url", "source", "status", "stage", "score", "grade", "email_kind", "opted_out",
                "email_bounced", "disqualify_reason", "created_at", "updated_at", "first_touch_at", "mql_at",
                "sql_at", "opportunity_at", "customer_at", "score_explanation", *QUALIFICATION,
            )
        }  # fmt: skip
        statuses = rng.choices(*STATUSES, k=count)
        sources = rng.choices(*SOURCES, k=count)
        for offset in range(count):
            i = start + offset + 1
            c = rng.randrange(n_companies)
            first, first_ascii = rng.choice(FIRST_NAMES)
            last, last_ascii = rng.choice(LAST_NAMES)
            country = comp_country[c] if rng.random() < 0.9 else rng.choice(country_names)
            zones = country_info[country][3]
            created = END - YEAR + YEAR * i / leads + rng.uniform(-DAY, DAY)
            title = rng.choice(TITLES)
            industry = comp_industry[c]
            score_text, grade, explanation = score_of(industry, comp_size[c], country, title)
            score = int(score_text)
            status = statuses[offset]
            if status == "converted":
                stage = "customer"
            elif status == "handed_off":
                stage = rng.choice(("sql", "opportunity"))
            else:
                stage = "mql" if score >= 60 else "lead"
            kind_roll = rng.random()
            if kind_roll < 0.70:
                email, email_kind = f"{first_ascii}.{last_ascii}.{i}@{comp_domain[c]}", "corporate"
            elif kind_roll < 0.96:
                email, email_kind = f"{first_ascii}.{last_ascii}.{i}@{rng.choice(FREE_MAIL)}", "free"
            else:
                email, email_kind = "", "none"
            owner = rng.choice(sdr_ids) if rng.random() < owner_share else None
            touched = created + rng.uniform(600, 5 * DAY) if status != "new" else None
            stage_rank = ("lead", "mql", "sql", "opportunity", "customer").index(stage)
            lead_created.append(created)
            lead_owner.append(owner)
            cols["id"].append(str(i))
            cols["team_id"].append(team_id)
            cols["owner_id"].append(str(owner) if owner else NULL)
            cols["account_id"].append(str(c + 1))
            cols["first_name"].append(first)
            cols["last_name"].append(last)
            cols["email"].append(email)
            cols["phone"].append(
                f"{phones[country]}{rng.randrange(10_000):04d}" if rng.random() < 0.85 else ""
            )
            cols["title"].append(title)
            cols["company"].append(comp_name[c])
            cols["company_domain"].append(comp_domain[c])
            cols["industry"].append(industry)
            cols["employee_count"].append(comp_size[c])
            cols["country"].append(country)
            cols["timezone"].append(rng.choice(zones))
            cols["linkedin_url"].append(
                f"https://www.linkedin.com/in/{first_ascii}-{last_ascii}-{i:x}" if rng.random() < 0.6 else ""
            )
            cols["source"].append(sources[offset])
            cols["status"].append(status)
            cols["stage"].append(stage)
            cols["score"].append(score_text)
            cols["grade"].append(grade)
            cols["score_explanation"].append(explanation)
            worked = status in ("working", "handed_off", "converted")
            for column, choices in QUALIFICATION.items():
                filled = (worked and rng.random() < 0.6) or (
                    column == "research_notes" and rng.random() < 0.3
                )
                cols[column].append(rng.choice(choices) if filled else "")
            cols["email_kind"].append(email_kind)
            cols["opted_out"].append("t" if rng.random() < 0.02 else "f")
            cols["email_bounced"].append("t" if email and rng.random() < 0.03 else "f")
            cols["disqualify_reason"].append(
                rng.choice(DISQUALIFY_REASONS) if status == "disqualified" else ""
            )
            cols["created_at"].append(ts(created))
            cols["updated_at"].append(ts(touched or created))
            cols["first_touch_at"].append(ts(touched) if touched else NULL)
            step = touched or created
            for rank, column in enumerate(("mql_at", "sql_at", "opportunity_at", "customer_at"), start=1):
                if stage_rank >= rank:
                    step += rng.uniform(DAY, 20 * DAY)
                    cols[column].append(ts(min(step, END)))
                else:
                    cols[column].append(NULL)
        return cols

    kinds_all, kind_weights = ACTIVITY_KINDS

    def make_activities(start: int, count: int) -> dict[str, list[str]]:
        cols: dict[str, list[str]] = {
            name: []
            for name in (
                "id",
                "lead_id",
                "team_id",
                "actor_id",
                "kind",
                "outcome",
                "body",
                "data",
                "created_at",
            )
        }
        kinds = rng.choices(kinds_all, kind_weights, k=count)
        for offset in range(count):
            lead_index = rng.randrange(leads)
            kind = kinds[offset]
            created = lead_created[lead_index]
            owner = lead_owner[lead_index]
            actor = owner or rng.choice(sdr_ids)
            if kind == "call":
                outcome, body = rng.choices(*CALL_OUTCOMES)[0], ""
            elif kind == "email":
                outcome, body = ("replied" if rng.random() < 0.12 else "sent"), rng.choice(SUBJECTS)
            elif kind == "linkedin":
                outcome, body = "sent", ""
            elif kind in ("note", "meeting", "task"):
                outcome, body = "", rng.choice(NOTES)
            else:
                outcome, body = "", ""
            if kind == "status":
                data = '{"from": "new", "to": "working"}'
            elif kind == "stage":
                data = '{"from": "lead", "to": "mql"}'
            else:
                data = "{}"
            cols["id"].append(str(start + offset + 1))
            cols["lead_id"].append(str(lead_index + 1))
            cols["team_id"].append(team_id)
            cols["actor_id"].append(NULL if kind == "system" else str(actor))
            cols["kind"].append(kind)
            cols["outcome"].append(outcome)
            cols["body"].append(body)
            cols["data"].append(data)
            cols["created_at"].append(ts(min(END, created + rng.uniform(60, 120 * DAY))))
        return cols

    tables = [Company._meta.db_table, Lead._meta.db_table, Activity._meta.db_table]
    with connection.cursor() as cursor, bulk_load(cursor, tables):
        for model, total, make, label in (
            (Company, n_companies, make_companies, "companies"),
            (Lead, leads, make_leads, "leads"),
            (Activity, activities, make_activities, "activities"),
        ):
            seconds = Loader(cursor, model).load(chunked(total, make), total, label)
            report["tables"][label] = {"rows": total, "seconds": seconds, "rows_per_s": total / seconds}
            reset_sequence(cursor, model._meta.db_table)
    seconds = time.perf_counter() - started
    rows = n_companies + leads + activities
    mark_loaded("leads", params, rows, seconds)
    report.update({"rows": rows, "seconds": seconds, "rows_per_s": rows / seconds})
    print(
        f"leads domain: {rows:,} rows in {seconds:.1f} s = {rows / seconds:,.0f} rows/s (with index rebuild)"
    )
    return report


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n")[0])
    parser.add_argument("--leads", type=int, default=REFERENCE_LEADS)
    parser.add_argument("--activities", type=int, help="default: 5 per lead")
    parser.add_argument("--small", action="store_true", help="10,000 leads and 50,000 activities")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--ceiling-rows", type=int, default=1_000_000)
    parser.add_argument("--no-prepare", action="store_true", help="skip create database + migrate")
    args = parser.parse_args(argv)
    if args.small:
        args.leads = 10_000
    activities = args.activities if args.activities is not None else args.leads * 5
    if not args.no_prepare:
        prepare(args.leads)
    apply_environ(args.leads)
    print(f"database {database_name(args.leads)}: seed {args.seed}", flush=True)
    result = {
        "database": database_name(args.leads),
        "ceiling": load_ceiling(rows=args.ceiling_rows, seed=args.seed),
        "leads": load_leads(leads=args.leads, activities=activities, seed=args.seed),
    }
    print("BENCH_JSON " + json.dumps(result), flush=True)
    return result


if __name__ == "__main__":
    main(sys.argv[1:])
