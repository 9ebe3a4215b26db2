"""A real Celery worker process (`celery -A sdrcrm worker`) against the test database and Redis.

The worker listens on a queue of its own, so that other test runs sharing the Redis database never
take its tasks; the test process routes its tasks there with `route_tasks_to(queue)`.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent.parent


def database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


class Worker:
    def __init__(
        self,
        *,
        queue: str,
        email_url: str,
        concurrency: int = 2,
        extra_env: dict | None = None,
        app: str = "sdrcrm",
    ):
        self.app = app  # tests.support.celery_on_queue: the tasks the worker sends stay on `queue` too
        self.queue = queue
        self.email_url = email_url
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        self.process = None
        self.log_path = ROOT / "var" / f"worker-{queue}.log"

    def start(self, wait: float = 30.0) -> "Worker":
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "sdrcrm.settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": os.environ["REDIS_URL"],
            "EMAIL_URL": self.email_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "USE_HTTPS": "0",
            "CONN_MAX_AGE": "0",
            "FAULTS_QUEUE": self.queue,
            **self.extra_env,
        }
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")  # noqa: SIM115 (the worker owns it while it runs)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", self.app, "worker", "-Q", self.queue, "-c", str(self.concurrency),
             "--pool", "prefork", "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO",
             "-n", f"{self.queue}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited: see {self.log_path}")
            if b"ready." in self.log_path.read_bytes():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready after {wait}s: see {self.log_path}")

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and its pool children), like a crashed machine."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()


@contextmanager
def route_tasks_to(queue: str):
    """Tasks enqueued by this (test) process go to `queue`, for real (not eagerly)."""
    from sdrcrm.celery import app

    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous


def unique_queue(prefix: str = "cadences-test") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
