"""The spreadsheet import reads days and times in the forum's time zone (sessions.spreadsheets.cells),
including the nights its clocks change: New York's 2009 clocks skip 02:30 on 8 March and pass
01:30 twice on 1 November."""

import datetime

import pytest

from sessions.spreadsheets import import_plan
from tests.factories import make_forum, make_roundtable, make_session, make_user

UTC = datetime.UTC


@pytest.fixture
def new_york(db):
    return make_forum(
        name="New York 2009",
        time_zone="America/New_York",
        starts_on=datetime.date(2009, 3, 7),
        ends_on=datetime.date(2009, 11, 2),
    )


def _plan(forum, **cells):
    return import_plan(forum=forum, rows=[(2, {"code": "1.1", **cells})], user=make_user(is_superuser=True))


def _session(forum, starts_at, ends_at):
    return make_session(
        roundtable=make_roundtable(forum=forum, number=1), number=1, starts_at=starts_at, ends_at=ends_at
    )


def test_a_time_read_again_on_the_night_the_clocks_go_back_changes_nothing(new_york):
    # 01:30 EDT (05:30 UTC), the first of the two 01:30s, to 02:30 EST (07:30 UTC).
    _session(
        new_york, datetime.datetime(2009, 11, 1, 5, 30, tzinfo=UTC), datetime.datetime(2009, 11, 1, 7, 30, tzinfo=UTC)
    )

    plan = _plan(new_york, day="2009-11-01", start="01:30", end="02:30")

    assert [(row.outcome, row.changes, row.reasons) for row in plan.rows] == [("unchanged", [], [])]


def test_a_time_the_clocks_skip_is_refused_with_its_zone(new_york):
    _session(
        new_york, datetime.datetime(2009, 3, 8, 14, 0, tzinfo=UTC), datetime.datetime(2009, 3, 8, 15, 0, tzinfo=UTC)
    )

    plan = _plan(new_york, day="2009-03-08", start="02:30", end="03:30")

    assert [row.reasons for row in plan.rows] == [
        ["2009-03-08 02:30 does not exist in America/New_York (the clocks skip it)."]
    ]


def test_a_time_is_read_in_the_forum_zone_and_shown_there(new_york):
    # 10:00–11:00 in New York on 2 November (EST) is 15:00–16:00 UTC.
    session = _session(
        new_york, datetime.datetime(2009, 11, 2, 14, 0, tzinfo=UTC), datetime.datetime(2009, 11, 2, 15, 0, tzinfo=UTC)
    )

    plan = _plan(new_york, day="2009-11-02", start="10:00", end="11:00")

    (row,) = plan.rows
    assert row.updates == {
        "starts_at": datetime.datetime(2009, 11, 2, 15, 0, tzinfo=UTC),
        "ends_at": datetime.datetime(2009, 11, 2, 16, 0, tzinfo=UTC),
    }
    assert [(change.label, change.old, change.new) for change in row.changes] == [
        ("When", "Mon 2 Nov 2009, 09:00–10:00", "Mon 2 Nov 2009, 10:00–11:00")
    ]
    assert row.session == session
