"""How durations read on pages: the largest two units an SDR thinks in ("2d 3h", "1h 05m", "7m")."""

import datetime

from django.utils.translation import gettext as _


def duration_text(delta: datetime.timedelta) -> str:
    minutes = max(int(delta.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(d)sd %(h)sh") % {"d": days, "h": hours}
    if hours:
        return _("%(h)sh %(m)02dm") % {"h": hours, "m": minutes}
    return _("%(m)sm") % {"m": minutes}
