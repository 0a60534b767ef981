"""core.forum_time: stored times (UTC) read, typed and shown in the forum's time zone.

The inputs are chosen where a slip of zone shows: times given in UTC for a forum in Athens (UTC+2 in
November), so that 00:30 on a forum day is the day before in UTC and 23:30 UTC is the next day there;
Dhaka (UTC+6, no summer time); and New York across its changes of clock in 2009 (02:30 on 8 March
is skipped, 01:30 on 1 November happens twice).
"""

import datetime
import types
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from core import forum_time
from core.forum_time import (
    DATED,
    LONG,
    PRINTED,
    SHORT,
    TIMES,
    SkippedTime,
    forum_date,
    forum_datetime,
    forum_days,
    forum_local,
    forum_zone,
    local_time_exists,
    same_local_time,
    when_text,
    within_forum_days,
)
from sessions.models import Session
from sessions.selectors import session_outside_forum
from tests.factories import make_forum, make_roundtable

UTC = datetime.UTC
ATHENS = zoneinfo.ZoneInfo("Europe/Athens")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def _forum(zone, first, last):
    """A forum as these functions read it: its zone's name and its days."""
    return types.SimpleNamespace(time_zone=zone, starts_on=first, ends_on=last)


ATHENS_FORUM = _forum("Europe/Athens", datetime.date(2009, 11, 2), datetime.date(2009, 11, 3))
DHAKA_FORUM = _forum("Asia/Dhaka", datetime.date(2016, 12, 8), datetime.date(2016, 12, 9))
NEW_YORK_FORUM = _forum("America/New_York", datetime.date(2009, 10, 31), datetime.date(2009, 11, 2))


def _utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


# The zone, the local clock and the local day ----------------------------------------------------


@pytest.mark.parametrize("given", [ATHENS_FORUM, "Europe/Athens", ATHENS])
def test_forum_zone_reads_a_forum_a_zone_name_or_a_zone(given):
    assert forum_zone(given) == ATHENS


def test_forum_zone_of_an_unknown_name_raises():
    with pytest.raises(zoneinfo.ZoneInfoNotFoundError):
        forum_zone("Europe/Atlantis")


def test_forum_local_puts_a_utc_time_on_the_forum_clock():
    local = forum_local(_utc(2009, 11, 3, 21, 30), ATHENS_FORUM)

    assert (local.isoformat(), local.tzinfo) == ("2009-11-03T23:30:00+02:00", ATHENS)


@pytest.mark.parametrize(
    ("value", "forum", "day"),
    [
        # 00:30 on 2 November in Athens is 22:30 on 1 November in UTC.
        (_utc(2009, 11, 1, 22, 30), ATHENS_FORUM, datetime.date(2009, 11, 2)),
        # 23:30 on 3 November in UTC is 01:30 on 4 November in Athens.
        (_utc(2009, 11, 3, 23, 30), ATHENS_FORUM, datetime.date(2009, 11, 4)),
        # 19:00 on 7 December in UTC is 01:00 on 8 December in Dhaka.
        (_utc(2016, 12, 7, 19, 0), DHAKA_FORUM, datetime.date(2016, 12, 8)),
        # 02:00 on 1 November in UTC is 22:00 on 31 October in New York (still summer time).
        (_utc(2009, 11, 1, 2, 0), NEW_YORK_FORUM, datetime.date(2009, 10, 31)),
    ],
)
def test_forum_date_is_the_day_in_the_forum_zone_not_in_utc(value, forum, day):
    assert value.date() != day

    assert forum_date(value, forum) == day


def test_forum_local_and_forum_date_leave_none_alone():
    assert (forum_local(None, ATHENS_FORUM), forum_date(None, ATHENS_FORUM)) == (None, None)


def test_forum_days_of_a_session_ending_at_midnight_end_the_day_before():
    # 22:00–00:00 in Athens on 3 November.
    assert forum_days(_utc(2009, 11, 3, 20, 0), _utc(2009, 11, 3, 22, 0), ATHENS_FORUM) == (
        datetime.date(2009, 11, 3),
        datetime.date(2009, 11, 3),
    )


def test_forum_days_of_a_session_across_midnight_run_to_the_next_day():
    # 23:30–00:30 in Athens, from 3 to 4 November.
    assert forum_days(_utc(2009, 11, 3, 21, 30), _utc(2009, 11, 3, 22, 30), ATHENS_FORUM) == (
        datetime.date(2009, 11, 3),
        datetime.date(2009, 11, 4),
    )


INSIDE = {
    "Athens, 00:30 on the first day (the day before in UTC)": (ATHENS_FORUM, _utc(2009, 11, 1, 22, 30), 30),
    "Dhaka, 01:00 on the first day (the day before in UTC)": (DHAKA_FORUM, _utc(2016, 12, 7, 19, 0), 30),
    "New York, 22:00 on the last day (the next day in UTC)": (NEW_YORK_FORUM, _utc(2009, 11, 3, 3, 0), 30),
}
OUTSIDE = {
    "Athens, 23:30–00:30 on the last night (all on the last day in UTC)": (ATHENS_FORUM, _utc(2009, 11, 3, 21, 30), 60),
    "Athens, 01:30 the day after the last (still the last day in UTC)": (ATHENS_FORUM, _utc(2009, 11, 3, 23, 30), 30),
    "Dhaka, 02:00 the day after the last (still the last day in UTC)": (DHAKA_FORUM, _utc(2016, 12, 9, 20, 0), 30),
    "New York, 20:00 the evening before (already the first day in UTC)": (NEW_YORK_FORUM, _utc(2009, 10, 31, 0, 0), 30),
}


@pytest.mark.parametrize(("forum", "starts_at", "minutes"), INSIDE.values(), ids=INSIDE.keys())
def test_within_forum_days_accepts_a_session_on_the_forum_days_in_its_zone(forum, starts_at, minutes):
    ends_at = starts_at + datetime.timedelta(minutes=minutes)

    assert within_forum_days(starts_at, ends_at, forum)
    assert not within_forum_days(starts_at, ends_at, _forum("UTC", forum.starts_on, forum.ends_on))


@pytest.mark.parametrize(("forum", "starts_at", "minutes"), OUTSIDE.values(), ids=OUTSIDE.keys())
def test_within_forum_days_refuses_a_session_off_the_forum_days_in_its_zone(forum, starts_at, minutes):
    ends_at = starts_at + datetime.timedelta(minutes=minutes)

    assert not within_forum_days(starts_at, ends_at, forum)
    assert within_forum_days(starts_at, ends_at, _forum("UTC", forum.starts_on, forum.ends_on))


# From a local day and time to a stored time ------------------------------------------------------


def test_forum_datetime_reads_the_time_in_the_forum_zone():
    value = forum_datetime(datetime.date(2009, 11, 3), datetime.time(23, 30), ATHENS_FORUM)

    assert value == _utc(2009, 11, 3, 21, 30)


def test_forum_datetime_in_dhaka_is_six_hours_ahead_of_utc():
    value = forum_datetime(datetime.date(2016, 12, 8), datetime.time(1, 0), DHAKA_FORUM)

    assert value == _utc(2016, 12, 7, 19, 0)


def test_forum_datetime_follows_summer_time():
    before = forum_datetime(datetime.date(2009, 10, 31), datetime.time(9, 0), NEW_YORK_FORUM)
    after = forum_datetime(datetime.date(2009, 11, 2), datetime.time(9, 0), NEW_YORK_FORUM)

    assert (before, after) == (_utc(2009, 10, 31, 13, 0), _utc(2009, 11, 2, 14, 0))


def test_forum_datetime_refuses_a_time_the_clocks_skip():
    with pytest.raises(SkippedTime) as error:
        forum_datetime(datetime.date(2009, 3, 8), datetime.time(2, 30), NEW_YORK_FORUM)

    assert str(error.value) == "2009-03-08 02:30 does not exist in America/New_York (the clocks skip it)."
    assert isinstance(error.value, ValueError)


def test_forum_datetime_of_a_time_passed_twice_is_its_first_occurrence_unless_folded():
    first = forum_datetime(datetime.date(2009, 11, 1), datetime.time(1, 30), NEW_YORK_FORUM)
    second = forum_datetime(datetime.date(2009, 11, 1), datetime.time(1, 30, fold=1), NEW_YORK_FORUM)

    assert (first, second) == (_utc(2009, 11, 1, 5, 30), _utc(2009, 11, 1, 6, 30))
    assert first.tzinfo is UTC  # as stored: a local time passed twice would equal no stored time


@pytest.mark.parametrize(
    ("local", "exists"),
    [
        (datetime.datetime(2009, 3, 8, 1, 59), True),
        (datetime.datetime(2009, 3, 8, 2, 0), False),
        (datetime.datetime(2009, 3, 8, 2, 59), False),
        (datetime.datetime(2009, 3, 8, 3, 0), True),
        (datetime.datetime(2009, 11, 1, 1, 30), True),  # twice, but it exists
    ],
)
def test_local_time_exists_only_for_times_the_clocks_show(local, exists):
    assert local_time_exists(local, NEW_YORK_FORUM) is exists


def test_same_local_time_in_another_zone_keeps_the_wall_clock():
    # 09:00 in Dhaka (03:00 UTC) stays 09:00 in Berlin (08:00 UTC in December).
    moved = same_local_time(_utc(2016, 12, 8, 3, 0), zone="Asia/Dhaka", new_zone="Europe/Berlin")

    assert moved == _utc(2016, 12, 8, 8, 0)


def test_same_local_time_days_later_across_a_change_of_clock():
    # 09:00 on 30 October 2009 in New York (13:00 UTC), three days later: 09:00 on 2 November, now 14:00 UTC.
    moved = same_local_time(_utc(2009, 10, 30, 13, 0), zone=NEW_YORK_FORUM, days=datetime.timedelta(days=3))

    assert moved == _utc(2009, 11, 2, 14, 0)


def test_same_local_time_keeps_the_second_of_a_time_passed_twice():
    second = _utc(2009, 11, 1, 6, 30)  # 01:30 EST, after the clocks went back

    assert same_local_time(second, zone=NEW_YORK) == second
    assert same_local_time(None, zone=NEW_YORK) is None


# The "when" of a session -------------------------------------------------------------------------

# 23:30–00:30 in Athens, from Tuesday 3 to Wednesday 4 November 2009; in UTC 21:30–22:30 on the 3rd.
LATE_START, LATE_END = _utc(2009, 11, 3, 21, 30), _utc(2009, 11, 3, 22, 30)


@pytest.mark.parametrize(
    ("style", "language", "text"),
    [
        (TIMES, "en", "23:30–00:30"),
        (SHORT, "en", "Tue 3 Nov, 23:30–00:30"),
        (DATED, "en", "Tue 3 Nov 2009, 23:30–00:30"),
        (LONG, "en", "Tuesday 3 November 2009, 23:30–00:30"),
        (PRINTED, "en", "Tuesday 3 November 2009 · 23:30–00:30"),
        (SHORT, "fr", "mar 3 nov., 23:30–00:30"),
        (DATED, "fr", "mar 3 nov. 2009, 23:30–00:30"),
        (LONG, "fr", "mardi 3 novembre 2009, 23:30–00:30"),
        (PRINTED, "fr", "mardi 3 novembre 2009 · 23:30–00:30"),
        (SHORT, "es", "mar 3 nov., 23:30–00:30"),
        (DATED, "es", "mar 3 nov. 2009, 23:30–00:30"),
        (LONG, "es", "martes 3 de noviembre de 2009, 23:30–00:30"),
        (PRINTED, "es", "martes 3 de noviembre de 2009 · 23:30–00:30"),
    ],
)
def test_when_text_in_each_style_and_language_in_the_forum_zone(style, language, text):
    with translation.override(language):
        assert when_text(LATE_START, LATE_END, ATHENS_FORUM, style=style) == text


def test_when_text_in_dhaka_and_in_new_york_across_the_change_of_clock():
    # 23:30 EDT on 31 October to 01:30 EST on 1 November: three hours, the clocks went back in between.
    new_york = when_text(_utc(2009, 11, 1, 3, 30), _utc(2009, 11, 1, 6, 30), NEW_YORK_FORUM)
    dhaka = when_text(_utc(2016, 12, 7, 19, 0), _utc(2016, 12, 7, 20, 30), DHAKA_FORUM)

    assert (new_york, dhaka) == ("Sat 31 Oct 2009, 23:30–01:30", "Thu 8 Dec 2016, 01:00–02:30")


def test_when_text_as_html_marks_both_times_with_their_iso_values():
    with translation.override("en"):
        html = when_text(LATE_START, LATE_END, ATHENS_FORUM, style=SHORT, html=True)

    assert html == (
        '<time datetime="2009-11-03T23:30:00+02:00">Tue 3 Nov, 23:30</time>–'
        '<time datetime="2009-11-04T00:30:00+02:00">00:30</time>'
    )
    assert html.__html__() == html  # safe: templates show it as it is


def test_when_text_of_a_moment_is_its_start_alone():
    with translation.override("en"):
        assert when_text(LATE_START, None, ATHENS_FORUM) == "Tue 3 Nov 2009, 23:30"
        assert when_text(LATE_START, None, ATHENS_FORUM, style=TIMES, html=True) == (
            '<time datetime="2009-11-03T23:30:00+02:00">23:30</time>'
        )


def test_when_text_of_a_session_not_scheduled_is_the_empty_text():
    assert when_text(None, None, ATHENS_FORUM) == "—"
    assert when_text(None, None, ATHENS_FORUM, style=SHORT, html=True, empty="") == ""


def test_when_text_refuses_an_unknown_style():
    with pytest.raises(ValueError, match="Unknown style 'tiny'"):
        when_text(LATE_START, LATE_END, ATHENS_FORUM, style="tiny")


def test_the_styles_are_all_listed():
    assert forum_time.STYLES == (TIMES, SHORT, DATED, LONG, PRINTED)


# The session date check uses the forum's zone ----------------------------------------------------
# The datetimes are in UTC, as the database and the spreadsheet import hand them over: a check done
# in UTC, or in whatever zone the value carries, gives the opposite answer for each of these.


def _session(forum, starts_at, ends_at):
    return Session(
        roundtable=make_roundtable(forum=forum),
        number=1,
        title="Late night",
        slug="late-night",
        starts_at=starts_at,
        ends_at=ends_at,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "starts_on", "ends_on", "starts_at"),
    [
        ("Europe/Athens", datetime.date(2009, 11, 2), datetime.date(2009, 11, 3), _utc(2009, 11, 1, 22, 30)),
        ("Asia/Dhaka", datetime.date(2016, 12, 8), datetime.date(2016, 12, 9), _utc(2016, 12, 7, 19, 0)),
    ],
    ids=["Athens, 00:30 on the first day", "Dhaka, 01:00 on the first day"],
)
def test_session_clean_accepts_the_small_hours_of_the_first_day_in_forum_zone(zone, starts_on, ends_on, starts_at):
    forum = make_forum(time_zone=zone, starts_on=starts_on, ends_on=ends_on)
    session = _session(forum, starts_at, starts_at + datetime.timedelta(minutes=30))

    session.full_clean()  # no error

    assert not session_outside_forum(session, forum)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("zone", "starts_on", "ends_on", "starts_at"),
    [
        ("Europe/Athens", datetime.date(2009, 11, 2), datetime.date(2009, 11, 3), _utc(2009, 11, 3, 23, 30)),
        ("Asia/Dhaka", datetime.date(2016, 12, 8), datetime.date(2016, 12, 9), _utc(2016, 12, 9, 20, 0)),
    ],
    ids=["Athens, 01:30 after the last day", "Dhaka, 02:00 after the last day"],
)
def test_session_clean_refuses_the_small_hours_after_the_last_day_in_forum_zone(zone, starts_on, ends_on, starts_at):
    forum = make_forum(time_zone=zone, starts_on=starts_on, ends_on=ends_on)
    session = _session(forum, starts_at, starts_at + datetime.timedelta(minutes=30))

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert error.value.message_dict == {
        "starts_at": [f"The session must take place during the forum, from {starts_on} to {ends_on} ({zone})."]
    }
    assert session_outside_forum(session, forum)
