import datetime

import pytest

from sdrcrm.core.formatting import duration_text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0m"),
        (7, "7m"),
        (65, "1h 05m"),
        (60 * 24 - 1, "23h 59m"),
        (60 * 24 * 2 + 190, "2d 3h"),
        (-5, "0m"),
    ],
)
def test_durations_read_in_the_two_largest_units(minutes, text):
    assert duration_text(datetime.timedelta(minutes=minutes)) == text


def test_fractions_of_a_minute_round_down():
    assert duration_text(datetime.timedelta(minutes=90.9)) == "1h 30m"
