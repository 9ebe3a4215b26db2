"""Actors for every test: a team with one of each role, and a second team to prove isolation."""

import os
from dataclasses import dataclass

import pytest
from rest_framework.test import APIClient

from sdrcrm.accounts.models import Role, Team, User
from tests.factories import TeamFactory, UserFactory


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@dataclass
class Actors:
    team: Team
    other_team: Team
    sdr: User
    bdr: User
    ae: User
    manager: User
    admin: User
    other_sdr: User
    other_ae: User
    other_manager: User

    def by_name(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, name)


@pytest.fixture
def team(db) -> Team:
    return TeamFactory(name="Nordlys")


@pytest.fixture
def actors(db) -> Actors:
    team = TeamFactory(name="Nordlys")
    other = TeamFactory(name="Polaris")
    return Actors(
        team=team,
        other_team=other,
        sdr=UserFactory(username="kadri", first_name="Kadri", last_name="Kask", role=Role.SDR, team=team),
        bdr=UserFactory(username="minjun", first_name="민준", last_name="김", role=Role.BDR, team=team),
        ae=UserFactory(username="dmitri", first_name="Дмитрий", last_name="Иванов", role=Role.AE, team=team),
        manager=UserFactory(
            username="maria", first_name="Maria", last_name="Tamm", role=Role.MANAGER, team=team
        ),
        admin=UserFactory(username="root", role=Role.ADMIN, team=None, is_staff=True, is_superuser=True),
        other_sdr=UserFactory(username="olga", role=Role.SDR, team=other),
        other_ae=UserFactory(username="otto", role=Role.AE, team=other),
        other_manager=UserFactory(username="pia", role=Role.MANAGER, team=other),
    )


@pytest.fixture
def api():
    """An API client; `api.force_authenticate(user)` to act as someone."""
    return APIClient()


def api_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def api_for():
    return api_as


# Playwright's sync API runs an event loop in the test thread; Django's ORM calls from the test
# body (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.browser import browser, page  # noqa: E402, F401  (fixtures for page tests)


def pytest_collection_modifyitems(config, items):
    """`services` tests need PostgreSQL and Redis (`make test-services` sets DATABASE_URL and REDIS_URL)."""
    have_services = os.environ.get("DATABASE_URL", "").startswith("postgres") and os.environ.get("REDIS_URL")
    if have_services:
        return
    skip = pytest.mark.skip(
        reason="needs DATABASE_URL=postgres://… and REDIS_URL (run by make test-services)"
    )
    for item in items:
        if "services" in item.keywords:
            item.add_marker(skip)
