"""A real Celery worker process, fed through Redis, writes to the PostgreSQL test database."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from sdrcrm.celery import app
from sdrcrm.core import tasks
from sdrcrm.core.models import Heartbeat

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker_process(tmp_path):
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sdrcrm.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "SDRCRM_DATA_DIR": str(tmp_path),
        "USE_HTTPS": "0",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    queue = f"test-{os.getpid()}-{time.monotonic_ns()}"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "sdrcrm",
            "worker",
            "-Q",
            queue,
            "-c",
            "1",
            "-P",
            "solo",
            "-l",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def test_a_worker_process_runs_the_heartbeat_sent_through_redis(worker_process):
    assert not Heartbeat.objects.exists()
    tasks.heartbeat.apply_async(queue=worker_process)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Heartbeat.objects.filter(name="worker").exists():
        time.sleep(0.25)
    assert Heartbeat.objects.filter(name="worker").count() == 1
