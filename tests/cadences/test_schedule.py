"""Business days, send windows and daylight saving, in the lead's zone (pure functions)."""

import datetime

import pytest

from cadences import schedule

UTC = datetime.UTC
WINDOW = {"window_start": datetime.time(8, 0), "window_end": datetime.time(18, 0)}


def due(start, wait_days, zone, business_days_only=True):
    return schedule.due_after(
        start,
        wait_days=wait_days,
        zone=schedule.zone_for(zone),
        business_days_only=business_days_only,
        **WINDOW,
    )


@pytest.mark.parametrize(
    ("zone", "start", "wait_days", "expected"),
    [
        # Tallinn springs forward on Sun 29 Mar 2026 (+2 → +3): Fri 10:00 + 1 business day = Mon 10:00 local.
        (
            "Europe/Tallinn",
            datetime.datetime(2026, 3, 27, 8, 0, tzinfo=UTC),
            1,
            datetime.datetime(2026, 3, 30, 7, 0, tzinfo=UTC),
        ),
        # Tallinn falls back on Sun 25 Oct 2026 (+3 → +2).
        (
            "Europe/Tallinn",
            datetime.datetime(2026, 10, 23, 7, 0, tzinfo=UTC),
            1,
            datetime.datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
        ),
        # New York springs forward on Sun 8 Mar 2026 (−5 → −4): Fri 09:00 EST → Mon 09:00 EDT.
        (
            "America/New_York",
            datetime.datetime(2026, 3, 6, 14, 0, tzinfo=UTC),
            1,
            datetime.datetime(2026, 3, 9, 13, 0, tzinfo=UTC),
        ),
        # New York falls back on Sun 1 Nov 2026: Fri 09:00 EDT + 3 business days = Wed 09:00 EST.
        (
            "America/New_York",
            datetime.datetime(2026, 10, 30, 13, 0, tzinfo=UTC),
            3,
            datetime.datetime(2026, 11, 4, 14, 0, tzinfo=UTC),
        ),
        # Seoul has no DST: 21:00 KST is after the window, so the next morning at 08:00 KST.
        (
            "Asia/Seoul",
            datetime.datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
            0,
            datetime.datetime(2026, 3, 3, 23, 0, tzinfo=UTC),
        ),
        # Seoul, Friday 20:00 KST + 0 days → Monday 08:00 KST.
        (
            "Asia/Seoul",
            datetime.datetime(2026, 3, 6, 11, 0, tzinfo=UTC),
            0,
            datetime.datetime(2026, 3, 8, 23, 0, tzinfo=UTC),
        ),
        # Before the window: moved to its start the same day (Tallinn 06:00 → 08:00).
        (
            "Europe/Tallinn",
            datetime.datetime(2026, 3, 3, 4, 0, tzinfo=UTC),
            0,
            datetime.datetime(2026, 3, 3, 6, 0, tzinfo=UTC),
        ),
        # A lead without a zone runs in UTC.
        (
            "",
            datetime.datetime(2026, 3, 3, 12, 0, tzinfo=UTC),
            2,
            datetime.datetime(2026, 3, 5, 12, 0, tzinfo=UTC),
        ),
    ],
)
def test_due_time_respects_business_days_window_and_daylight_saving(zone, start, wait_days, expected):
    assert due(start, wait_days, zone) == expected


def test_calendar_days_land_on_a_weekend_when_business_days_are_off():
    friday = datetime.datetime(2026, 3, 6, 9, 0, tzinfo=UTC)  # 11:00 Tallinn
    assert due(friday, 1, "Europe/Tallinn", business_days_only=False) == datetime.datetime(
        2026, 3, 7, 9, 0, tzinfo=UTC
    )
    assert due(friday, 1, "Europe/Tallinn") == datetime.datetime(2026, 3, 9, 9, 0, tzinfo=UTC)


def test_a_wall_time_inside_the_spring_forward_gap_moves_forward():
    zone = schedule.zone_for("Europe/Tallinn")
    # 03:30 on 29 Mar 2026 does not exist in Tallinn; it becomes 04:30 EEST = 01:30 UTC.
    assert schedule.local_at(datetime.date(2026, 3, 29), datetime.time(3, 30), zone) == datetime.datetime(
        2026, 3, 29, 1, 30, tzinfo=UTC
    )
    # 03:30 on 25 Oct 2026 happens twice; the first (EEST) is taken.
    assert schedule.local_at(datetime.date(2026, 10, 25), datetime.time(3, 30), zone) == datetime.datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )


def test_in_window_and_next_window_start():
    zone = schedule.zone_for("America/New_York")
    monday_noon = datetime.datetime(2026, 3, 9, 16, 0, tzinfo=UTC)
    assert schedule.in_window(monday_noon, zone=zone, business_days_only=True, **WINDOW)
    assert not schedule.in_window(
        monday_noon + datetime.timedelta(hours=7), zone=zone, business_days_only=True, **WINDOW
    )
    friday = datetime.datetime(2026, 3, 13, 16, 0, tzinfo=UTC)
    assert schedule.next_window_start(
        friday, zone=zone, window_start=datetime.time(8, 0), business_days_only=True
    ) == datetime.datetime(2026, 3, 16, 12, 0, tzinfo=UTC)
