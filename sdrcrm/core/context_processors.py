"""What the layout needs on every page: the navigation for the user's role, the unread count."""

import functools

from django.urls import NoReverseMatch, get_script_prefix, reverse
from django.utils.translation import gettext_lazy as _

from sdrcrm.accounts.models import Role
from sdrcrm.accounts.selectors import notification_unread_count

ALL = frozenset(Role.values)
PROSPECTING = frozenset({Role.SDR, Role.BDR, Role.MANAGER, Role.ADMIN})

NAVIGATION = [
    ("today", _("Today"), frozenset({Role.SDR, Role.BDR})),
    ("lead-list", _("Leads"), ALL),
    ("cadence-list", _("Cadences"), ALL),
    ("handoff-inbox", _("Handoffs"), ALL),
    ("opportunity-list", _("Opportunities"), ALL),
    ("import-list", _("Imports"), PROSPECTING),
    ("dashboard", _("Dashboard"), ALL),
    ("icp", _("ICP"), frozenset({Role.MANAGER, Role.ADMIN, Role.SDR, Role.BDR})),
    ("team-settings", _("Team"), frozenset({Role.MANAGER, Role.ADMIN})),
]


@functools.lru_cache(maxsize=64)
def _links(role: str, script_prefix: str) -> tuple[tuple[str, object], ...]:
    """(url, label) of the role's navigation: the same on every page, worked out once per process."""
    links = []
    for url_name, label, roles in NAVIGATION:
        if role not in roles:
            continue
        try:
            links.append((reverse(url_name), label))
        except NoReverseMatch:  # that part of the product is not installed
            continue
    return tuple(links)


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        {"url": url, "label": label, "active": request.path.startswith(url)}
        for url, label in _links(user.effective_role, get_script_prefix())
    ]
    return {"nav_items": items, "unread_notifications": notification_unread_count(user=user)}
