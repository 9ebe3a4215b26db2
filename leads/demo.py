"""Demo leads: a few hundred people at companies across industries and countries (Estonian, Russian,
Chinese and Korean names among them), spread over the last 120 days, worked by the demo SDRs and BDRs,
scored by an active ICP. Puts `context["leads"]` (newest first) and `context["icp"]` for later apps."""

import datetime
import random
import unicodedata

from django.utils import timezone

from leads import services
from leads.models import Activity, Lead

COMPANIES = [
    # name, domain, industry, employees, country
    ("Nordlys Analytics OÜ", "nordlys-analytics.ee", "Software", 85, "EE"),
    ("Tallinna Logistika AS", "tallinnalogistika.ee", "Logistics", 420, "EE"),
    ("Pilvetarkvara OÜ", "pilvetarkvara.ee", "Software", 140, "EE"),
    ("Kaamos Fintech OÜ", "kaamos.ee", "Fintech", 60, "EE"),
    ("Läänemere Energia AS", "laanemere-energia.ee", "Energy", 900, "EE"),
    ("Tartu Biotech OÜ", "tartubiotech.ee", "Healthcare", 45, "EE"),
    ("Rīgas Dati SIA", "rigasdati.lv", "Software", 210, "LV"),
    ("Baltic Freight SIA", "balticfreight.lv", "Logistics", 650, "LV"),
    ("Vilniaus Mokėjimai UAB", "vmokejimai.lt", "Fintech", 120, "LT"),
    ("Kaunas Robotics UAB", "kaunasrobotics.lt", "Manufacturing", 300, "LT"),
    ("Helsinki Cloudworks Oy", "cloudworks.fi", "Software", 260, "FI"),
    ("Saimaa Paper Oy", "saimaapaper.fi", "Manufacturing", 2400, "FI"),
    ("Stockholm Payments AB", "sthlmpay.se", "Fintech", 180, "SE"),
    ("ООО «Северный Код»", "severnykod.ru", "Software", 150, "RU"),
    ("АО «Волга Логистик»", "volgalog.ru", "Logistics", 1200, "RU"),
    ("ООО «ФинТех Решения»", "fintechresh.ru", "Fintech", 75, "RU"),
    ("ООО «МедИнфо»", "medinfo.ru", "Healthcare", 340, "RU"),
    ("深圳云图科技有限公司", "yuntu-tech.cn", "Software", 480, "CN"),
    ("上海快运物流", "kuaiyun56.cn", "Logistics", 3000, "CN"),
    ("杭州支付宝伙伴", "hzpaypartner.cn", "Fintech", 220, "CN"),
    ("北京智造", "bjzhizao.cn", "Manufacturing", 800, "CN"),
    ("서울소프트 주식회사", "seoulsoft.kr", "Software", 190, "KR"),
    ("부산해운", "busanshipping.kr", "Logistics", 560, "KR"),
    ("한빛핀테크", "hanbitfin.kr", "Fintech", 95, "KR"),
    ("대한바이오", "daehanbio.kr", "Healthcare", 410, "KR"),
    ("Berliner Datenwerk GmbH", "datenwerk.de", "Software", 330, "DE"),
    ("München Maschinenbau AG", "mmbau.de", "Manufacturing", 5200, "DE"),
    ("Hamburg Retail GmbH", "hhretail.de", "Retail", 700, "DE"),
    ("Northwind Traders Ltd", "northwind.co.uk", "Retail", 1500, "GB"),
    ("Ledgerly Ltd", "ledgerly.co.uk", "Fintech", 40, "GB"),
    ("Acme Cloud Inc.", "acmecloud.io", "Software", 2200, "US"),
    ("Brightpath Health", "brightpath.health", "Healthcare", 950, "US"),
    ("Cascade Freight", "cascadefreight.com", "Logistics", 120, "US"),
    ("Warszawa Software Sp. z o.o.", "wawsoft.pl", "Software", 160, "PL"),
    ("Oslo Energi AS", "osloenergi.no", "Energy", 260, "NO"),
]

NAMES = {
    "EE": [
        ("Kadri", "Tamm"),
        ("Mart", "Saar"),
        ("Liis", "Kask"),
        ("Jüri", "Mägi"),
        ("Kristjan", "Õun"),
        ("Triin", "Lepp"),
        ("Andres", "Pärn"),
        ("Kärt", "Sepp"),
    ],
    "LV": [("Jānis", "Bērziņš"), ("Ilze", "Kalniņa"), ("Mārtiņš", "Ozols"), ("Līga", "Liepa")],
    "LT": [
        ("Tomas", "Kazlauskas"),
        ("Rūta", "Petrauskienė"),
        ("Mantas", "Jankauskas"),
        ("Eglė", "Žukauskaitė"),
    ],
    "FI": [("Mikko", "Virtanen"), ("Aino", "Korhonen"), ("Juha", "Mäkinen"), ("Sanna", "Nieminen")],
    "SE": [("Erik", "Johansson"), ("Sara", "Lindqvist"), ("Oskar", "Nilsson")],
    "RU": [
        ("Алексей", "Смирнов"),
        ("Ольга", "Кузнецова"),
        ("Дмитрий", "Попов"),
        ("Екатерина", "Волкова"),
        ("Сергей", "Морозов"),
        ("Наталья", "Лебедева"),
    ],
    "CN": [("伟", "王"), ("芳", "李"), ("强", "张"), ("静", "刘"), ("磊", "陈"), ("敏", "杨")],
    "KR": [("민준", "김"), ("서연", "이"), ("지훈", "박"), ("수빈", "최"), ("현우", "정"), ("지민", "강")],
    "DE": [("Lukas", "Müller"), ("Anna", "Schmidt"), ("Jonas", "Schneider"), ("Lea", "Fischer")],
    "GB": [("Oliver", "Smith"), ("Amelia", "Jones"), ("Harry", "Taylor")],
    "US": [("James", "Miller"), ("Emily", "Davis"), ("Michael", "Brown"), ("Olivia", "Wilson")],
    "PL": [("Piotr", "Nowak"), ("Anna", "Kowalska")],
    "NO": [("Lars", "Hansen"), ("Ingrid", "Olsen")],
}
LATIN = {
    "Алексей": "aleksei", "Ольга": "olga", "Дмитрий": "dmitri", "Екатерина": "ekaterina", "Сергей": "sergei",
    "Наталья": "natalja", "伟": "wei", "芳": "fang", "强": "qiang", "静": "jing", "磊": "lei", "敏": "min",
    "민준": "minjun", "서연": "seoyeon", "지훈": "jihoon", "수빈": "subin", "현우": "hyunwoo", "지민": "jimin",
    "Смирнов": "smirnov", "Кузнецова": "kuznetsova", "Попов": "popov", "Волкова": "volkova", "Морозов": "morozov",
    "Лебедева": "lebedeva", "王": "wang", "李": "li", "张": "zhang", "刘": "liu", "陈": "chen", "杨": "yang",
    "김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang",
}  # fmt: skip
TITLES = [
    "Head of Sales", "VP Sales", "Chief Revenue Officer", "Sales Director", "CEO", "CTO", "Head of Marketing",
    "Marketing Manager", "Operations Manager", "Procurement Specialist", "Software Engineer", "VP Engineering",
    "Руководитель отдела продаж", "Коммерческий директор", "销售总监", "영업 이사", "Myügijuht", "Head of Growth",
]  # fmt: skip
FREE_MAIL = [
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "mail.ru",
    "yandex.ru",
    "qq.com",
    "163.com",
    "naver.com",
    "hot.ee",
]
PHONE_PREFIX = {"EE": "+372 5", "LV": "+371 2", "LT": "+370 6", "FI": "+358 40", "SE": "+46 70", "RU": "+7 916", "CN": "+86 138",
                "KR": "+82 10", "DE": "+49 151", "GB": "+44 770", "US": "+1 415", "PL": "+48 601", "NO": "+47 9"}  # fmt: skip
SOURCES = ["inbound"] * 3 + ["outbound"] * 4 + ["event", "referral", "list", "list"]
DISQUALIFY_REASONS = [
    "No budget this year",
    "Not the decision maker",
    "Uses a competitor under contract",
    "Too small for us",
]


def _ascii(text: str) -> str:
    if text in LATIN:
        return LATIN[text]
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("ł", "l"))
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum()) or "x"


def seed(context: dict) -> None:
    rng = random.Random(context.get("seed", 2026))
    team = context["team"]
    users = context["users"]
    manager = users["maria"]
    reps = [users[name] for name in ("kadri", "anna", "wei", "minjun", "jaan")]
    now = timezone.now()

    icp = services.icp_profile_create(
        team=team,
        by=manager,
        values={
            "name": "Mid-market software and fintech, Baltics and Nordics",
            "is_active": True,
            "industries": ["Software", "Fintech", "Logistics"],
            "employee_min": 50,
            "employee_max": 1000,
            "countries": ["EE", "LV", "LT", "FI", "SE", "KR"],
            "title_keywords": [
                "head of sales",
                "vp",
                "chief revenue",
                "sales director",
                "продаж",
                "销售",
                "영업",
                "müügi",
            ],
            "weights": {"industry": 30, "employees": 20, "country": 25, "title": 25},
        },
    )
    context["icp"] = icp

    leads = []
    used = set()
    for index in range(320):
        company_name, domain, industry, employees, country = rng.choice(COMPANIES)
        first, last = rng.choice(NAMES[country])
        if rng.random() < 0.15:  # someone from abroad at the company
            other = rng.choice(list(NAMES))
            first, last = rng.choice(NAMES[other])
        local = f"{_ascii(first)}.{_ascii(last)}"
        email_domain = rng.choice(FREE_MAIL) if rng.random() < 0.15 else domain
        email = (
            f"{local}{index}@{email_domain}" if (local, email_domain) in used else f"{local}@{email_domain}"
        )
        used.add((local, email_domain))
        owner = rng.choice(reps) if rng.random() < 0.8 else None
        values = {
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": f"{PHONE_PREFIX[country]}{rng.randint(1000000, 9999999)}" if rng.random() < 0.7 else "",
            "title": rng.choice(TITLES),
            "company": company_name,
            "company_domain": domain,
            "industry": industry,
            "employee_count": employees,
            "country": country,
            "source": rng.choice(SOURCES),
            "owner": owner,
            "linkedin_url": f"https://www.linkedin.com/in/{local.replace('.', '-')}-{index}"
            if rng.random() < 0.6
            else "",
        }
        try:
            lead = services.lead_create(team=team, by=manager, values=values)
        except Exception:
            values["phone"] = ""
            lead = services.lead_create(team=team, by=manager, values=values)
        created_at = now - datetime.timedelta(days=rng.uniform(0, 120), minutes=rng.randint(0, 600))
        Lead.objects.filter(pk=lead.pk).update(
            created_at=created_at, mql_at=created_at + datetime.timedelta(hours=1) if lead.mql_at else None
        )
        Activity.objects.filter(lead=lead).update(created_at=created_at)
        lead.refresh_from_db()
        _work(rng, lead, created_at, now)
        leads.append(lead)

    context["leads"] = sorted(leads, key=lambda lead: lead.created_at, reverse=True)


def _work(rng: random.Random, lead: Lead, created_at, now) -> None:
    """Touches, notes and a status for one lead, in the order they would have happened."""
    roll = rng.random()
    if lead.owner is None or roll < 0.3:
        return  # new, untouched
    actor = lead.owner
    at = created_at + datetime.timedelta(minutes=rng.randint(5, 60 * 24 * 3))
    touches = rng.randint(1, 6)
    for _ in range(touches):
        if at >= now:
            break
        kind = rng.choice(["call", "call", "email", "email", "linkedin"])
        outcome = {
            "call": rng.choice(["connected", "no_answer", "no_answer", "voicemail", "wrong_number"]),
            "email": rng.choice(["sent", "sent", "sent", "replied"]),
            "linkedin": "sent",
        }[kind]
        services.activity_record(lead=lead, actor=actor, kind=kind, outcome=outcome, occurred_at=at)
        at += datetime.timedelta(days=rng.uniform(1, 6))
    if rng.random() < 0.3:
        services.activity_record(
            lead=lead, actor=actor, kind="note", body=rng.choice([
                "Expanding to the Nordics next quarter; asked for a case study.",
                "Uses spreadsheets for pipeline today. Pain: no visibility for the CEO.",
                "Отправил презентацию, перезвонить во вторник.",
                "对价格敏感，下周再联系。",
                "다음 주 데모 요청함.",
            ]), occurred_at=min(at, now),
        )  # fmt: skip
    lead.refresh_from_db()
    if roll > 0.9:
        services.lead_disqualify(lead=lead, by=actor, reason=rng.choice(DISQUALIFY_REASONS))
    elif roll > 0.8:
        services.lead_nurture(lead=lead, by=actor, reason="Not sales-ready: revisit next quarter")
