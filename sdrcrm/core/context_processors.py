"""What the layout needs on every page: the navigation for the user's role, the unread count."""

from django.urls import NoReverseMatch, reverse
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


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = user.effective_role
    items = []
    for url_name, label, roles in NAVIGATION:
        if role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # that part of the product is not installed
            continue
        items.append({"url": url, "label": label, "active": request.path.startswith(url)})
    return {"nav_items": items, "unread_notifications": notification_unread_count(user=user)}
