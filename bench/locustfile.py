"""The load test's people: SDRs working the Today queue, AEs on the handoff inbox, managers on the
dashboard. Each signs in through the login page and works like the browser does: pages, their htmx
partials (`HX-Request` and the CSRF header the page sets), and the API with the session.

Run by `python -m bench.load` (which starts gunicorn, tops up the data and reads the figures); by
hand: `locust -f bench/locustfile.py --headless -u 70 -r 10 -t 5m --host http://127.0.0.1:PORT`.
`LOAD_KINDS=ceiling` makes every user load the bare-Django ceiling page instead, at the same pace.

Every response is recorded (kind of user, page, milliseconds, status) and written as JSON to
`LOAD_SAMPLES` when the run stops. A 409 (someone else decided first) counts as an expected race,
not an error; any other status outside 2xx/3xx is an error.
"""

import datetime
import itertools
import json
import os
import random
import re
import time
from http.cookiejar import Cookie
from pathlib import Path

from locust import FastHttpUser, between, events, task

PASSWORD = os.environ.get("LOAD_PASSWORD", "bench-password-not-a-secret")
KINDS = set(os.environ.get("LOAD_KINDS", "sdr,ae,manager").split(","))
SAMPLES_PATH = os.environ.get("LOAD_SAMPLES", "")
SDRS, AES, MANAGERS = (int(n) for n in os.environ.get("LOAD_MIX", "50,15,5").split(","))
# username → session cookie of a sign-in done before the run (bench.load signs everyone in once, so a
# run measures the work, not 70 password hashes at its start); without it each user signs in itself.
SESSIONS = (
    json.loads(Path(os.environ["LOAD_SESSIONS"]).read_text()) if os.environ.get("LOAD_SESSIONS") else {}
)
# bench-sdr-01's queue is the one bench/scenarios.py measures: that SDR reads, never changes it.
READ_ONLY_SDRS = {"bench-sdr-01"}
CALL_OUTCOMES = ["no_answer", "no_answer", "voicemail", "connected", "wrong_number"]
REJECT_REASONS = ["not_icp", "no_budget", "no_authority", "no_need", "bad_timing", "insufficient_info"]

QUEUE_ROW = re.compile(r'class="queue-item channel-(\w+)[^"]*" id="touch-(\d+)"')
PENDING_CARD = re.compile(r'<article id="handoff-(\d+)" class="card handoff-card(?![^"]*is-decided)[^"]*"')
CARD_LEAD = re.compile(r'<h2 id="handoff-(\d+)-title"><a href="/leads/(\d+)/">')
CSRF_HEADER = re.compile(r'"X-CSRFToken": "([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

samples: list[tuple[str, str, float, int]] = []  # (kind, page, ms, status)
_numbers = {kind: itertools.count(1) for kind in ("sdr", "ae", "manager", "ceiling")}


@events.request.add_listener
def record(
    request_type, name, response_time, response_length, response=None, exception=None, context=None, **_
):
    status = getattr(response, "status_code", 0) or 0
    samples.append(((context or {}).get("kind", "?"), f"{request_type} {name}", response_time, status))


@events.quitting.add_listener
def write_samples(environment, **_):
    if SAMPLES_PATH:
        with open(SAMPLES_PATH, "w") as out:
            json.dump({"samples": samples}, out)


class Person(FastHttpUser):
    """Signs in through the login page like a browser; remembers the CSRF token pages carry."""

    abstract = True
    kind = ""
    wait_time = between(2, 6)
    csrf = ""

    def context(self) -> dict:
        return {"kind": self.kind}

    def on_start(self) -> None:
        self.username = self.username_for(next(_numbers[self.kind]))
        if self.username in SESSIONS:
            host = self.host.split("://", 1)[1].split(":")[0]
            self.client.cookiejar.set_cookie(session_cookie(SESSIONS[self.username], host))
            return
        page = self.client.get("/accounts/login/", name="/accounts/login/", context=self.context())
        token = CSRF_FIELD.search(page.text or "")
        with self.client.post(
            "/accounts/login/",
            data={"username": self.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": self.host + "/accounts/login/"},
            allow_redirects=False, name="/accounts/login/ (sign in)", context=self.context(), catch_response=True,
        ) as response:  # fmt: skip
            if response.status_code != 302:
                response.failure(f"sign in as {self.username}: HTTP {response.status_code}")

    def username_for(self, number: int) -> str:
        raise NotImplementedError

    def page(self, path: str, name: str | None = None, *, htmx: bool = False):
        headers = {"HX-Request": "true"} if htmx else {}
        response = self.client.get(path, name=name or path, headers=headers, context=self.context())
        found = CSRF_HEADER.search(response.text or "")
        if found:
            self.csrf = found.group(1)
        return response

    def htmx_post(self, path: str, name: str, data: dict):
        """An hx-post from a page: form fields, HX-Request and the page's X-CSRFToken. 409 is a race."""
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf, "Referer": self.host + "/"}
        with self.client.post(
            path, data=data, headers=headers, name=name, context=self.context(), catch_response=True
        ) as response:
            if response.status_code == 409:
                response.success()
            return response


class Sdr(Person):
    """Opens the Today queue, logs call outcomes and marks touches done, now and then skips one or
    snoozes it, and reloads the queue (page, channel chips, the API)."""

    kind = "sdr"
    fixed_count = SDRS

    def username_for(self, number: int) -> str:
        return f"bench-sdr-{number % 50 + 1:02d}"  # bench-sdr-02 first, the read-only bench-sdr-01 last

    def on_start(self) -> None:
        super().on_start()
        self.queue: list[tuple[str, str]] = []
        self.load_queue()

    def load_queue(self) -> None:
        response = self.page("/today/")
        self.page("/dashboard/me/", htmx=True)  # the page's hx-trigger="load"
        # An automatic email sends by itself: the page offers no outcome for it, the SDR leaves it.
        self.queue = [row for row in QUEUE_ROW.findall(response.text or "") if row[0] != "email"]

    @task(6)
    def work_next_touch(self) -> None:
        if self.username in READ_ONLY_SDRS:
            self.load_queue()
            return
        if not self.queue:
            self.load_queue()
            if not self.queue:
                return
        channel, touch_id = self.queue.pop(0)
        roll = random.random()
        if roll < 0.05:
            self.htmx_post(f"/today/touches/{touch_id}/skip/", "/today/touches/[id]/skip/", {})
        elif roll < 0.10:
            data = {"snooze": random.choice(["1h", "3h", "tomorrow"])}
            self.htmx_post(f"/today/touches/{touch_id}/snooze/", "/today/touches/[id]/snooze/", data)
        else:
            outcome = random.choice(CALL_OUTCOMES) if channel == "call" else ""
            data = {"outcome": outcome, "note": "Bench: left a note." if random.random() < 0.2 else ""}
            self.htmx_post(f"/today/touches/{touch_id}/complete/", "/today/touches/[id]/complete/", data)

    @task(2)
    def reload_queue(self) -> None:
        self.load_queue()

    @task(1)
    def filter_by_channel(self) -> None:
        channel = random.choice(["call", "email", "linkedin", "task"])
        self.page(f"/today/?channel={channel}", "/today/?channel=[channel] (htmx)", htmx=True)

    @task(2)
    def queue_from_the_api(self) -> None:
        self.page("/api/queue/")


class Ae(Person):
    """The handoff inbox: reads it, opens a handoff's lead, accepts (amount, close date) or rejects it
    with a reason, and looks through the decided ones."""

    kind = "ae"
    fixed_count = AES
    wait_time = between(4, 10)

    def username_for(self, number: int) -> str:
        return f"bench-ae-{(number - 1) % 15 + 1:02d}"

    def inbox(self) -> list[tuple[str, str]]:
        text = self.page("/handoffs/").text or ""
        pending = set(PENDING_CARD.findall(text))
        return [(pk, lead) for pk, lead in CARD_LEAD.findall(text) if pk in pending]

    @task(4)
    def decide_one(self) -> None:
        pending = self.inbox()
        if not pending:
            return
        handoff, lead = random.choice(pending)
        self.page(f"/leads/{lead}/", "/leads/[id]/")
        time.sleep(random.uniform(1, 3))  # reading the qualification
        if random.random() < 0.7:
            close = datetime.date.today() + datetime.timedelta(days=random.randrange(20, 90))
            data = {f"a{handoff}-amount": str(random.choice([5000, 12000, 25000, 40000])),
                    f"a{handoff}-expected_close": close.isoformat()}  # fmt: skip
            self.htmx_post(f"/handoffs/{handoff}/accept/", "/handoffs/[id]/accept/", data)
        else:
            data = {
                f"r{handoff}-reason": random.choice(REJECT_REASONS),
                f"r{handoff}-note": "Bench: not now.",
            }
            self.htmx_post(f"/handoffs/{handoff}/reject/", "/handoffs/[id]/reject/", data)

    @task(2)
    def look_at_inbox(self) -> None:
        self.inbox()

    @task(1)
    def decided_history(self) -> None:
        status = random.choice(["accepted", "rejected"])
        self.page(f"/handoffs/?status={status}", "/handoffs/?status=[status] (htmx)", htmx=True)

    @task(1)
    def pipeline(self) -> None:
        self.page("/api/handoffs/?status=pending", "/api/handoffs/?status=pending")


class Manager(Person):
    """The dashboard: the page, its period switch (htmx), the funnel and the leaderboard in the API."""

    kind = "manager"
    fixed_count = MANAGERS
    wait_time = between(5, 15)

    def username_for(self, number: int) -> str:
        return "bench-manager"  # the reference team has one manager: five browser sessions of it

    @task(2)
    def dashboard(self) -> None:
        self.page("/dashboard/")

    @task(2)
    def switch_period(self) -> None:
        period = random.choice(["week", "month", "quarter", "last_month"])
        self.page(f"/dashboard/?period={period}", "/dashboard/?period=[period] (htmx)", htmx=True)

    @task(1)
    def funnel(self) -> None:
        start, end = month_bounds()
        self.page(f"/api/metrics/funnel/?from={start}&to={end}", "/api/metrics/funnel/")

    @task(1)
    def leaderboard(self) -> None:
        start, end = month_bounds()
        self.page(f"/api/metrics/leaderboard/?from={start}&to={end}", "/api/metrics/leaderboard/")


class Ceiling(Person):
    """The same people at the same pace, on the bare-Django ceiling page only (the reference)."""

    kind = "ceiling"
    fixed_count = SDRS + AES + MANAGERS

    def username_for(self, number: int) -> str:
        return f"bench-sdr-{(number - 1) % 50 + 1:02d}"

    @task
    def ceiling(self) -> None:
        self.page("/bench/ceiling/")


def session_cookie(value: str, host: str) -> Cookie:
    return Cookie(
        version=0, name="sessionid", value=value, port=None, port_specified=False, domain=host,
        domain_specified=False, domain_initial_dot=False, path="/", path_specified=True, secure=False,
        expires=None, discard=True, comment=None, comment_url=None, rest={},
    )  # fmt: skip


def month_bounds() -> tuple[str, str]:
    today = datetime.date.today()
    return (today - datetime.timedelta(days=30)).isoformat(), today.isoformat()


def keep_only(kinds: set[str]) -> None:
    """Locust runs every non-abstract User of the file: only the kinds this run asks for."""
    for user in (Sdr, Ae, Manager, Ceiling):
        user.abstract = user.kind not in kinds


keep_only(KINDS)
