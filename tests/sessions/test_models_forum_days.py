"""``Session.clean``: a session takes place within the forum's days, counted in the forum's time zone.

The times are given in UTC, as the database and the import hand them over, for forums far from UTC:
near midnight their local day is not the UTC day, so a check done in UTC (or in the zone the value
happens to carry) accepts and refuses the wrong sessions.
"""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError

from sessions.models import Session
from tests.factories import make_forum, make_roundtable

UTC = datetime.UTC
FIRST_DAY, LAST_DAY = datetime.date(2009, 11, 2), datetime.date(2009, 11, 3)


def _session(zone, starts_at, ends_at):
    forum = make_forum(starts_on=FIRST_DAY, ends_on=LAST_DAY, time_zone=zone)
    return Session(
        roundtable=make_roundtable(forum=forum),
        number=1,
        title="Night owls",
        slug="night-owls",
        starts_at=starts_at,
        ends_at=ends_at,
    )


def _within_the_days_in_utc(session):
    """What a check done in UTC would say: the opposite of the right answer for every case below."""
    first = session.starts_at.astimezone(UTC).date()
    last = (session.ends_at - datetime.timedelta(microseconds=1)).astimezone(UTC).date()
    return first >= FIRST_DAY and last <= LAST_DAY


def _local(zone, day, hour, minute=0):
    """``day`` 2009-11-``day`` at ``hour``:``minute`` in ``zone``, expressed in UTC."""
    return datetime.datetime(2009, 11, day, hour, minute, tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


INSIDE_LOCALLY = {
    # Auckland is UTC+13 in November: 00:30 on the first day is still the day before in UTC.
    "Auckland, 00:30 on the first day": ("Pacific/Auckland", _local("Pacific/Auckland", 2, 0, 30), 1),
    # Los Angeles is UTC-8: 23:30 on the last day is already the next day in UTC.
    "Los Angeles, until 23:30 on the last day": ("America/Los_Angeles", _local("America/Los_Angeles", 3, 22, 30), 1),
    "Los Angeles, until midnight after the last day": ("America/Los_Angeles", _local("America/Los_Angeles", 3, 23), 1),
}
OUTSIDE_LOCALLY = {
    # 09:00 the day after the last day in Auckland is 20:00 on the last day in UTC.
    "Auckland, the morning after the last day": ("Pacific/Auckland", _local("Pacific/Auckland", 4, 9), 1),
    # 17:00 the day before the first day in Los Angeles is 01:00 on the first day in UTC.
    "Los Angeles, the evening before the first day": ("America/Los_Angeles", _local("America/Los_Angeles", 1, 17), 1),
}


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "starts_at", "hours"), INSIDE_LOCALLY.values(), ids=INSIDE_LOCALLY.keys())
def test_a_session_within_the_forum_days_in_its_zone_is_accepted(zone, starts_at, hours):
    session = _session(zone, starts_at, starts_at + datetime.timedelta(hours=hours))
    assert not _within_the_days_in_utc(session)

    session.full_clean()  # no error


@pytest.mark.django_db
@pytest.mark.parametrize(("zone", "starts_at", "hours"), OUTSIDE_LOCALLY.values(), ids=OUTSIDE_LOCALLY.keys())
def test_a_session_outside_the_forum_days_in_its_zone_is_refused(zone, starts_at, hours):
    session = _session(zone, starts_at, starts_at + datetime.timedelta(hours=hours))
    assert _within_the_days_in_utc(session)

    with pytest.raises(ValidationError) as error:
        session.full_clean()

    assert error.value.message_dict == {
        "starts_at": [f"The session must take place during the forum, from 2009-11-02 to 2009-11-03 ({zone})."]
    }


@pytest.mark.django_db
def test_the_same_utc_times_are_inside_one_forum_and_outside_another():
    """06:30–07:30 UTC on 4 November is the last evening in Los Angeles but the next afternoon in Auckland."""
    starts_at = datetime.datetime(2009, 11, 4, 6, 30, tzinfo=UTC)
    ends_at = starts_at + datetime.timedelta(hours=1)
    los_angeles = _session("America/Los_Angeles", starts_at, ends_at)
    auckland = _session("Pacific/Auckland", starts_at, ends_at)

    los_angeles.full_clean()
    with pytest.raises(ValidationError) as error:
        auckland.full_clean()

    assert set(error.value.message_dict) == {"starts_at"}
