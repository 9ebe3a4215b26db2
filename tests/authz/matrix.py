"""The authorization matrix: every endpoint × every actor (each role of one team, the same roles of
another team, and anonymous). Each app lists its endpoints in tests/authz/cases_<app>.py as CASES,
with an optional `build(world)` that creates the objects its paths need."""

from collections.abc import Callable
from dataclasses import dataclass, field

ACTORS = ("anonymous", "sdr", "bdr", "ae", "manager", "admin", "other_sdr", "other_ae", "other_manager")


@dataclass
class World:
    actors: object
    objects: dict = field(default_factory=dict)

    def __getattr__(self, name):
        if name in ("actors", "objects"):
            raise AttributeError(name)
        if name in self.objects:
            return self.objects[name]
        return getattr(self.actors, name)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expect: dict
    data: Callable[[World], dict] | None = None
    format: str = "json"
    headers: Callable[[World], dict] | None = None

    def __post_init__(self):
        missing = set(ACTORS) - set(self.expect)
        if missing:
            raise ValueError(f"{self.name}: say what {', '.join(sorted(missing))} get")


def same_for_all(status: int, **overrides) -> dict:
    return {actor: overrides.get(actor, status) for actor in ACTORS}


def by_role(
    *, anonymous=401, sdr, bdr=None, ae, manager, admin, other_sdr=None, other_ae=None, other_manager=None
):
    """Statuses per role; the other team's actors default to what their role gets at home."""
    bdr = sdr if bdr is None else bdr
    return {
        "anonymous": anonymous,
        "sdr": sdr,
        "bdr": bdr,
        "ae": ae,
        "manager": manager,
        "admin": admin,
        "other_sdr": sdr if other_sdr is None else other_sdr,
        "other_ae": ae if other_ae is None else other_ae,
        "other_manager": manager if other_manager is None else other_manager,
    }
