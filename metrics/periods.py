"""Periods in a team's days: parsing `from`/`to`, the named periods of the dashboard, and UTC bounds.

A team has no time zone field, so a team's day is the day of its **first manager** (the active
manager with the lowest id); a team without one uses UTC, and so does the all-teams view of an
admin. If `Team` gains a `timezone` field, it wins. Day bounds are converted to UTC with zoneinfo,
so a period that spans a daylight-saving change is still whole local days.
"""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sdrcrm.core.errors import ValidationFailed

UTC = datetime.UTC
EARLIEST = datetime.date(1970, 1, 1)
LATEST = datetime.date(9999, 12, 30)
NAMED_PERIODS = ("week", "month", "quarter", "last_month", "last_quarter", "custom")


@dataclass(frozen=True)
class Period:
    start: datetime.date  # first day, inclusive
    end: datetime.date  # last day, inclusive
    zone: zoneinfo.ZoneInfo

    @property
    def start_at(self) -> datetime.datetime:
        return local_midnight(self.start, self.zone)

    @property
    def end_at(self) -> datetime.datetime:
        """The first instant after the period (exclusive bound)."""
        return local_midnight(self.end + datetime.timedelta(days=1), self.zone)

    def contains(self, field: str) -> dict:
        """ORM lookups for `field` inside the period: `{field__gte: start, field__lt: end}`."""
        return {f"{field}__gte": self.start_at, f"{field}__lt": self.end_at}

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def weeks(self) -> list[datetime.date]:
        """The Mondays of the weeks the period touches (at most 106, newest last)."""
        first = self.start - datetime.timedelta(days=self.start.weekday())
        mondays = []
        monday = first
        while monday <= self.end:
            mondays.append(monday)
            monday += datetime.timedelta(days=7)
        return mondays[-106:]


def local_midnight(day: datetime.date, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone).astimezone(UTC)


def zone_named(name: str | None) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(name) if name else zoneinfo.ZoneInfo("UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def parse_day(value: str, field: str) -> datetime.date:
    try:
        day = datetime.date.fromisoformat(value.strip())
    except (ValueError, AttributeError, TypeError):
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field=field) from None
    if len(value.strip()) != 10:
        raise ValidationFailed(_("Enter a date as YYYY-MM-DD."), field=field)
    if not EARLIEST <= day <= LATEST:
        raise ValidationFailed(_("The date is out of range."), field=field)
    return day


def today_in(zone: zoneinfo.ZoneInfo, now: datetime.datetime | None = None) -> datetime.date:
    from django.utils import timezone

    return (now or timezone.now()).astimezone(zone).date()


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def named_period(name: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """(first day, last day) of a named period, up to today for the current ones."""
    if name == "week":
        return today - datetime.timedelta(days=today.weekday()), today
    if name == "quarter":
        return quarter_start(today), today
    if name == "last_month":
        end = today.replace(day=1) - datetime.timedelta(days=1)
        return end.replace(day=1), end
    if name == "last_quarter":
        end = quarter_start(today) - datetime.timedelta(days=1)
        return quarter_start(end), end
    return today.replace(day=1), today  # month, and the default


def period_from_params(
    params, zone: zoneinfo.ZoneInfo, *, default: str = "month", now: datetime.datetime | None = None
) -> tuple[Period, str]:
    """The period a request asks for: `period=<name>` or `from`/`to` (custom). Bad dates → 400 naming the field.

    Without `from`, the period starts on the first of the month `to` falls in; without `to` it ends today
    (or on `from`, when `from` is in the future)."""
    today = today_in(zone, now)
    raw_from = (params.get("from") or "").strip()
    raw_to = (params.get("to") or "").strip()
    name = (params.get("period") or "").strip()
    if name and name not in NAMED_PERIODS:
        raise ValidationFailed(_("Choose one of: %s.") % ", ".join(NAMED_PERIODS), field="period")
    if (name and name != "custom") or not (raw_from or raw_to):
        name = name if name and name != "custom" else default
        start, end = named_period(name, today)
        return Period(start, end, zone), name
    start = parse_day(raw_from, "from") if raw_from else None
    end = parse_day(raw_to, "to") if raw_to else None
    if start is None:
        start = end.replace(day=1)
    if end is None:
        end = max(today, start)
    if start > end:
        raise ValidationFailed(_("The start date is after the end date."), field="from")
    return Period(start, end, zone), "custom"
