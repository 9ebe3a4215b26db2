"""Faults for the services tests: restart PostgreSQL, stop and start Redis, read and replay broker messages.

Each one acts on the server the test run is pointed at (DATABASE_URL's port, REDIS_URL's port), so a
run against a private PostgreSQL cluster or Redis on another port disturbs nobody else.
"""

import os
import signal
import subprocess
import sys
import time
from urllib.parse import urlparse

import redis
from django.conf import settings
from django.db import connections


def _postgres_port() -> int:
    return int(settings.DATABASES["default"].get("PORT") or 5432)


def _postgres_cluster() -> tuple[str, str]:
    """(version, name) of the local cluster that listens on the test database's port."""
    listing = subprocess.run(["pg_lsclusters", "--no-header"], check=True, capture_output=True, text=True)
    for line in listing.stdout.splitlines():
        version, name, port, *_rest = line.split()
        if int(port) == _postgres_port():
            return version, name
    raise RuntimeError(f"no local PostgreSQL cluster on port {_postgres_port()}")


def postgres_is_ready() -> bool:
    probe = ["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(_postgres_port())]
    return subprocess.run(probe, check=False).returncode == 0


def postgres_restart(*, down_for: float) -> float:
    """Stops the cluster (fast: every session is cut), waits `down_for` seconds, starts it again.
    Returns how long it was unreachable. This process's connections are closed to reconnect."""
    version, name = _postgres_cluster()
    stopped_at = time.monotonic()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "stop", "-m", "fast"],
                   check=True, capture_output=True)  # fmt: skip
    time.sleep(down_for)
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "start"],
                   check=True, capture_output=True)  # fmt: skip
    deadline = time.monotonic() + 30
    while not postgres_is_ready():
        if time.monotonic() > deadline:
            raise RuntimeError("PostgreSQL did not come back within 30 s")
        time.sleep(0.1)
    connections.close_all()
    return time.monotonic() - stopped_at


def redis_client() -> redis.Redis:
    return redis.Redis.from_url(os.environ["REDIS_URL"])


class RedisServer:
    """The Redis of REDIS_URL: `stop()` loses everything it held (no persistence), `start()` brings it back
    on the same port, directory and log file."""

    def __init__(self):
        url = urlparse(os.environ["REDIS_URL"])
        self.port = url.port or 6379
        config = redis_client().config_get("dir")
        self.directory = config["dir"]
        self.logfile = redis_client().config_get("logfile")["logfile"] or "/dev/null"

    def _cli(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(["redis-cli", "-h", "127.0.0.1", "-p", str(self.port), *args],
                              check=False, capture_output=True)  # fmt: skip

    def is_up(self) -> bool:
        return self._cli("ping").stdout.strip() == b"PONG"

    def stop(self) -> None:
        self._cli("shutdown", "nosave")
        deadline = time.monotonic() + 10
        while self.is_up() and time.monotonic() < deadline:
            time.sleep(0.1)

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(self.port),
             "--save", "", "--appendonly", "no", "--dir", self.directory, "--logfile", self.logfile],
            check=True, capture_output=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.is_up():
            if time.monotonic() > deadline:
                raise RuntimeError(f"Redis did not come back on port {self.port}")
            time.sleep(0.1)


def broker_messages(queue: str) -> list[bytes]:
    """The raw messages waiting in a broker queue, oldest first (the Redis transport keeps a list)."""
    return list(reversed(redis_client().lrange(queue, 0, -1)))


def broker_deliver(queue: str, raw_messages: list[bytes]) -> None:
    """Puts raw messages on a queue as they are, oldest first: the broker delivering them again."""
    client = redis_client()
    for raw in raw_messages:
        client.lpush(queue, raw)


def decode_task(raw: bytes) -> tuple[str, tuple, dict]:
    """(task name, args, kwargs) of a raw Celery message."""
    import base64
    import json

    envelope = json.loads(raw)
    body = envelope["body"]
    if envelope["properties"].get("body_encoding") == "base64":
        body = base64.b64decode(body)
    args, kwargs, _embed = json.loads(body)
    return envelope["headers"]["task"], tuple(args), kwargs


class Beat:
    """A `celery beat` process of its own, with its own schedule file, ticking every `every` seconds."""

    def __init__(self, *, queue: str, schedule_dir, name: str, every: float = 2.0):
        from tests.support.worker import ROOT, database_url

        self.log_path = ROOT / "var" / f"beat-{queue}-{name}.log"
        self.command = [
            sys.executable, "-m", "celery", "-A", "tests.support.celery_on_queue", "beat", "-l", "INFO",
            "-s", str(schedule_dir / f"{name}-schedule"), "--pidfile", str(schedule_dir / f"{name}.pid"),
        ]  # fmt: skip
        self.env = {**os.environ, "DJANGO_SETTINGS_MODULE": "sdrcrm.settings", "DATABASE_URL": database_url(),
                    "USE_HTTPS": "0", "FAULTS_QUEUE": queue, "FAULTS_BEAT_SECONDS": str(every)}  # fmt: skip
        self.root = ROOT
        self.process = None

    def start(self) -> "Beat":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "wb")  # noqa: SIM115 (the beat owns it while it runs)
        self.process = subprocess.Popen(self.command, cwd=self.root, env=self.env, stdout=log,
                                        stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
        return self

    def sent(self, task_name: str) -> int:
        """How many times this beat has sent `task_name` so far (from its log)."""
        return (
            self.log_path.read_text().count(f"Sending due task {task_name}") if self.log_path.exists() else 0
        )

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=10)
