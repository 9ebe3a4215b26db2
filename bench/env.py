"""The environment every bench process runs in: production settings on a bench database.

One PostgreSQL database per data-set size, so the 1M reference set is generated once and a quick
10k run never wipes it: `sdrcrm_bench` holds the reference set (1,000,000 leads), any other size
gets `sdrcrm_bench_<size>`.
"""

import os
import subprocess
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
PG_SERVER_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
REFERENCE_LEADS = 1_000_000
BENCH_PASSWORD = "bench-password-not-a-secret"  # noqa: S105  (bench users in a throwaway database)


def database_name(leads: int) -> str:
    return "sdrcrm_bench" if leads == REFERENCE_LEADS else f"sdrcrm_bench_{size_label(leads)}"


def size_label(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n >= 1_000 and n % 1_000 == 0:
        return f"{n // 1_000}k"
    return str(n)


def bench_environ(leads: int) -> dict[str, str]:
    """The variables of ARCHITECTURE.md, set for a production-like run against the bench database."""
    env = dict(os.environ)
    env.update(
        {
            "BENCH": "1",
            "DATABASE_URL": f"{PG_SERVER_URL}/{database_name(leads)}",
            "DEBUG": "0",
            "USE_HTTPS": "0",
            "SECRET_KEY": env.get("BENCH_SECRET_KEY", "bench-secret-key-" + "x" * 40),
            "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
            "SDRCRM_DATA_DIR": str(OUT_DIR / "var"),
            "DJANGO_SETTINGS_MODULE": "sdrcrm.settings",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.pop("REDIS_URL", None)  # pages never need Redis; the cache is a file cache under the data dir
    return env


def apply_environ(leads: int) -> None:
    """For a bench subprocess: adopt the bench variables and set Django up."""
    os.environ.update(bench_environ(leads))
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()


def ensure_database(leads: int) -> str:
    """Creates the bench database of this size when missing. Returns its name."""
    return ensure_database_named(database_name(leads))


def ensure_database_named(name: str) -> str:
    """Creates the database when missing. Returns its name."""
    import psycopg2

    connection = psycopg2.connect(f"{PG_SERVER_URL}/postgres")
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
                print(f"created database {name}", flush=True)
    finally:
        connection.close()
    return name


def manage(leads: int, *args: str) -> None:
    """Runs a manage.py command in the bench environment; fails loudly."""
    subprocess.run(
        [sys.executable, str(REPO_DIR / "manage.py"), *args],
        env=bench_environ(leads),
        cwd=REPO_DIR,
        check=True,
    )


def prepare(leads: int) -> None:
    """Database, schema (with the ceiling app) and the static manifest that DEBUG=0 pages need."""
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    ensure_database(leads)
    manage(leads, "migrate", "--noinput", "-v", "0")
    manage(leads, "collectstatic", "--noinput", "-v", "0")
