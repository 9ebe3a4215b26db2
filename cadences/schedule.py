"""When a touch is due: business days, the send window and daylight saving, in the lead's time zone.

Pure functions, no ORM. Every result is an aware datetime in UTC.
"""

import datetime
import zoneinfo

UTC = datetime.UTC


def zone_for(*names: str) -> zoneinfo.ZoneInfo:
    """The first valid IANA zone among `names` (lead, owner, …), else UTC."""
    for name in names:
        if not name:
            continue
        try:
            return zoneinfo.ZoneInfo(name)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            continue
    return zoneinfo.ZoneInfo("UTC")


def is_business_day(day: datetime.date) -> bool:
    return day.weekday() < 5


def add_business_days(day: datetime.date, count: int) -> datetime.date:
    while count > 0:
        day += datetime.timedelta(days=1)
        if is_business_day(day):
            count -= 1
    return day


def next_business_day(day: datetime.date) -> datetime.date:
    while not is_business_day(day):
        day += datetime.timedelta(days=1)
    return day


def local_at(day: datetime.date, at: datetime.time, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """`day` at wall-clock `at` in `zone`, in UTC. A wall time that does not exist (the spring-forward gap)
    moves forward by the gap; an ambiguous one (the autumn repeat) takes the first occurrence."""
    # PEP 495: fold=0 reads a gap time with the offset before the change (so it lands later by the
    # gap) and a repeated time as its first occurrence.
    return datetime.datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)


def into_window(
    moment: datetime.datetime,
    *,
    zone: zoneinfo.ZoneInfo,
    window_start: datetime.time,
    window_end: datetime.time,
    business_days_only: bool,
) -> datetime.datetime:
    """The earliest instant at or after `moment` that is inside the send window (and a business day)."""
    local = moment.astimezone(zone)
    day, wall = local.date(), local.time().replace(tzinfo=None)
    if wall >= window_end:
        day, wall = day + datetime.timedelta(days=1), window_start
    elif wall < window_start:
        wall = window_start
    if business_days_only and not is_business_day(day):
        day, wall = next_business_day(day), window_start
    result = local_at(day, wall, zone)
    return max(result, moment.astimezone(UTC))


def next_window_start(
    moment: datetime.datetime,
    *,
    zone: zoneinfo.ZoneInfo,
    window_start: datetime.time,
    business_days_only: bool,
) -> datetime.datetime:
    """The start of the next day's window after `moment` (what a capped send waits for)."""
    day = moment.astimezone(zone).date() + datetime.timedelta(days=1)
    if business_days_only:
        day = next_business_day(day)
    return local_at(day, window_start, zone)


def due_after(
    start: datetime.datetime,
    *,
    wait_days: int,
    zone: zoneinfo.ZoneInfo,
    window_start: datetime.time,
    window_end: datetime.time,
    business_days_only: bool,
) -> datetime.datetime:
    """`wait_days` (business days when asked) after `start`, same local wall time, moved into the window."""
    local = start.astimezone(zone)
    if wait_days <= 0:
        candidate = start
    else:
        if business_days_only:
            day = add_business_days(local.date(), wait_days)
        else:
            day = local.date() + datetime.timedelta(days=wait_days)
        candidate = local_at(day, local.time().replace(tzinfo=None), zone)
    return into_window(
        candidate,
        zone=zone,
        window_start=window_start,
        window_end=window_end,
        business_days_only=business_days_only,
    )


def in_window(
    moment: datetime.datetime,
    *,
    zone: zoneinfo.ZoneInfo,
    window_start: datetime.time,
    window_end: datetime.time,
    business_days_only: bool,
) -> bool:
    local = moment.astimezone(zone)
    if business_days_only and not is_business_day(local.date()):
        return False
    return window_start <= local.time().replace(tzinfo=None) < window_end
