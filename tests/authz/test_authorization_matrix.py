"""Every endpoint × every actor gets exactly the status the contract promises."""

import importlib
import pkgutil

import pytest
from rest_framework.test import APIClient

import tests.authz
from tests.authz.matrix import ACTORS, World


def _case_modules():
    for info in pkgutil.iter_modules(tests.authz.__path__):
        if info.name.startswith("cases_"):
            yield importlib.import_module(f"tests.authz.{info.name}")


def _params():
    for module in _case_modules():
        for case in module.CASES:
            for actor in ACTORS:
                yield pytest.param(
                    module, case, actor, id=f"{module.__name__.rsplit('_', 1)[-1]}:{case.name}:{actor}"
                )


@pytest.mark.parametrize(("module", "case", "actor"), list(_params()))
def test_endpoint_answers_each_actor_as_the_contract_says(actors, module, case, actor):
    world = World(actors=actors)
    if hasattr(module, "build"):
        module.build(world)
    client = APIClient()
    user = actors.by_name(actor)
    if user is not None:
        client.force_authenticate(user)
    headers = case.headers(world) if case.headers else {}
    data = case.data(world) if case.data else None
    response = getattr(client, case.method)(case.path(world), data=data, format=case.format, headers=headers)
    assert response.status_code == case.expect[actor], getattr(response, "data", response.content)
