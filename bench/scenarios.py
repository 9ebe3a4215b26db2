"""What the harness measures: each scenario is a name, a URL, who asks, and the ceiling it compares to.

`{lead_id}` in a URL is a lead the user may see, picked by the probe. A scenario whose route is not
built yet (no URL match, or 404) is skipped and reported as such.
"""

from dataclasses import dataclass

MANAGER = "bench-manager"
SDR = "bench-sdr-01"


@dataclass(frozen=True)
class Scenario:
    name: str
    url: str
    user: str = MANAGER
    ceiling: str = "ceiling"
    max_ratio: float = 2.0  # p95 within max_ratio × the ceiling's p95
    note: str = ""


CEILING = Scenario("ceiling", "/bench/ceiling/", max_ratio=0, note="bare view, one indexed 50-row SELECT")

SCENARIOS = [
    Scenario("lead list (manager: whole team)", "/leads/"),
    Scenario("lead list, filtered (status=working)", "/leads/?status=working"),
    Scenario("lead list, searched (q=)", "/leads/?q=tamm"),
    Scenario("lead list (SDR: own + unowned)", "/leads/", user=SDR),
    Scenario("lead detail", "/leads/{lead_id}/"),
    Scenario("API lead list", "/api/leads/"),
    Scenario("API lead list, filtered (status=working)", "/api/leads/?status=working"),
    Scenario("API lead detail", "/api/leads/{lead_id}/"),
    Scenario("Today queue (SDR, ~100 due touches)", "/today/", user=SDR),
    Scenario("API queue (SDR, ~100 due touches)", "/api/queue/", user=SDR),
]
