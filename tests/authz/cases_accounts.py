from tests.authz.matrix import Case, by_role


def build(world):
    pass


CASES = [
    Case("users/me", "get", lambda w: "/api/users/me/", by_role(sdr=200, ae=200, manager=200, admin=200)),
    Case("team list", "get", lambda w: "/api/teams/", by_role(sdr=403, ae=403, manager=200, admin=200)),
    Case(
        "team create",
        "post",
        lambda w: "/api/teams/",
        by_role(sdr=403, ae=403, manager=403, admin=201),
        data=lambda w: {"name": "Aurora"},
    ),
    Case(
        "team detail",
        "get",
        lambda w: f"/api/teams/{w.team.id}/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_manager=404),
    ),
    Case(
        "team settings",
        "patch",
        lambda w: f"/api/teams/{w.team.id}/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_manager=404),
        data=lambda w: {"daily_touch_goal": 50},
    ),
    Case(
        "team rename",
        "patch",
        lambda w: f"/api/teams/{w.team.id}/",
        by_role(sdr=403, ae=403, manager=403, admin=200, other_manager=404),
        data=lambda w: {"name": "Nordlys North"},
    ),
    Case(
        "team key rotation",
        "post",
        lambda w: f"/api/teams/{w.team.id}/rotate-key/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_manager=404),
    ),
    Case("user list", "get", lambda w: "/api/users/", by_role(sdr=403, ae=403, manager=200, admin=200)),
    Case(
        "user create",
        "post",
        lambda w: "/api/users/",
        by_role(sdr=403, ae=403, manager=403, admin=201),
        data=lambda w: {
            "username": "newrep",
            "password": "a-long-pass-phrase-9",
            "role": "sdr",
            "team": w.team.id,
        },
    ),
    Case(
        "user detail",
        "get",
        lambda w: f"/api/users/{w.sdr.id}/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_manager=404),
    ),
    Case(
        "user away",
        "patch",
        lambda w: f"/api/users/{w.sdr.id}/",
        by_role(sdr=403, ae=403, manager=200, admin=200, other_manager=404),
        data=lambda w: {"away_until": "2030-01-31"},
    ),
    Case(
        "user role change",
        "patch",
        lambda w: f"/api/users/{w.sdr.id}/",
        by_role(sdr=403, ae=403, manager=403, admin=200, other_manager=404),
        data=lambda w: {"role": "bdr"},
    ),
    Case(
        "notifications",
        "get",
        lambda w: "/api/notifications/",
        by_role(sdr=200, ae=200, manager=200, admin=200),
    ),
    Case(
        "notifications read",
        "post",
        lambda w: "/api/notifications/read/",
        by_role(sdr=200, ae=200, manager=200, admin=200),
        data=lambda w: {},
    ),
    Case(
        "api schema",
        "get",
        lambda w: "/api/schema/",
        by_role(sdr=200, ae=200, manager=200, admin=200),
    ),
]
