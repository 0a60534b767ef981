"""A forum's time zone: changing it keeps every session's local wall-clock times, and the next edition
is asked for its own place and time zone."""

import datetime
import re
import zoneinfo

import pytest
from django.urls import reverse
from reversion.models import Version

from roundtables.models import Forum
from sessions.models import Participation, Session
from tests.admin_forms import change_form_data
from tests.factories import make_forum, make_participation, make_person, make_room, make_roundtable, make_session

pytestmark = pytest.mark.django_db

DHAKA = zoneinfo.ZoneInfo("Asia/Dhaka")


def _at(day, hour, minute=0, zone=DHAKA):
    return datetime.datetime(2016, 11, day, hour, minute, tzinfo=zone)


@pytest.fixture
def dhaka():
    """A forum in Dhaka from Saturday 5 to Monday 7 November 2016, the weekend New York leaves summer time
    (Sunday 6 November at 02:00 EDT), with sessions near midnight and on both sides of that change."""
    forum = make_forum(
        name="Dhaka 2016",
        slug="dhaka-2016",
        city="Dhaka",
        country="Bangladesh",
        starts_on=datetime.date(2016, 11, 5),
        ends_on=datetime.date(2016, 11, 7),
        time_zone="Asia/Dhaka",
    )
    room = make_room(forum=forum, name="Hall A")
    first = make_roundtable(forum=forum, number=1, title="Protection of migrant workers")
    second = make_roundtable(forum=forum, number=2, title="Migration and development")
    times = {
        (first, 1): (_at(5, 9), _at(5, 10, 30)),
        (first, 2): (_at(5, 23, 30), _at(6, 0, 30)),  # across midnight
        (second, 1): (_at(6, 0), _at(6, 1, 30)),  # from midnight; 01:30 happens twice in New York that night
        (second, 2): (_at(7, 8), _at(7, 9)),  # after New York's change to winter time
    }
    for (roundtable, number), (starts_at, ends_at) in times.items():
        make_session(roundtable=roundtable, number=number, starts_at=starts_at, ends_at=ends_at, room=room)
    return forum


def local_times(forum):
    forum.refresh_from_db()
    return {
        session.code: (
            session.starts_at.astimezone(forum.zone).strftime("%a %d %H:%M"),
            session.ends_at.astimezone(forum.zone).strftime("%a %d %H:%M"),
        )
        for session in Session.objects.filter(roundtable__forum=forum).select_related("roundtable")
    }


def _change_zone(client, forum, time_zone):
    url = reverse("admin:roundtables_forum_change", args=[forum.pk])
    page = client.get(url)
    return client.post(url, change_form_data(page, time_zone=time_zone), follow=True)


def test_changing_the_time_zone_keeps_local_times_across_midnight_and_daylight_saving(organiser_client, dhaka):
    before = local_times(dhaka)

    response = _change_zone(organiser_client, dhaka, "America/New_York")

    assert response.redirect_chain[-1][0] == reverse("admin:roundtables_forum_changelist")
    assert (
        local_times(dhaka)
        == before
        == {
            "1.1": ("Sat 05 09:00", "Sat 05 10:30"),
            "1.2": ("Sat 05 23:30", "Sun 06 00:30"),
            "2.1": ("Sun 06 00:00", "Sun 06 01:30"),
            "2.2": ("Mon 07 08:00", "Mon 07 09:00"),
        }
    )
    utc = {
        session.code: session.starts_at.astimezone(datetime.UTC).strftime("%d %H:%M")
        for session in Session.objects.filter(roundtable__forum=dhaka).select_related("roundtable")
    }
    # New York is UTC-4 until Sunday 02:00, then UTC-5.
    assert utc == {"1.1": "05 13:00", "1.2": "06 03:30", "2.1": "06 04:00", "2.2": "07 13:00"}


def test_changing_the_time_zone_says_how_many_sessions_kept_their_local_times(organiser_client, dhaka):
    response = _change_zone(organiser_client, dhaka, "Europe/Berlin")

    messages = [str(message) for message in response.context["messages"]]
    assert messages[0] == ("Time zone changed from Asia/Dhaka to Europe/Berlin: 4 sessions kept their local times.")
    assert local_times(dhaka)["1.1"] == ("Sat 05 09:00", "Sat 05 10:30")


def test_a_time_zone_change_is_one_revision_with_the_forum_and_its_sessions(organiser_client, dhaka, organiser):
    _change_zone(organiser_client, dhaka, "Europe/Berlin")

    session = Session.objects.get(roundtable__forum=dhaka, roundtable__number=1, number=1)
    [latest_forum] = Version.objects.get_for_object(dhaka).order_by("-pk")[:1]
    [latest_session] = Version.objects.get_for_object(session).order_by("-pk")[:1]
    assert latest_session.revision_id == latest_forum.revision_id
    assert latest_forum.revision.user == organiser
    assert latest_forum.revision.get_comment() == (
        "Changed Time zone. Time zone changed from Asia/Dhaka to Europe/Berlin: 4 sessions kept their local times."
    )
    assert latest_session.field_dict["starts_at"] == datetime.datetime(2016, 11, 5, 8, 0, tzinfo=datetime.UTC)


def test_the_session_page_shows_the_kept_local_time_after_the_change(organiser_client, dhaka):
    _change_zone(organiser_client, dhaka, "America/New_York")
    session = Session.objects.get(roundtable__forum=dhaka, roundtable__number=1, number=2)

    response = organiser_client.get(reverse("admin:programme_sessions_session_change", args=[session.pk]))

    shown = re.findall(r'name="(starts_at_[01]|ends_at_[01])" value="([^"]*)"', response.content.decode())
    assert shown == [
        ("starts_at_0", "2016-11-05"),
        ("starts_at_1", "23:30:00"),
        ("ends_at_0", "2016-11-06"),
        ("ends_at_1", "00:30:00"),
    ]


def test_other_changes_to_a_forum_move_no_session(organiser_client, dhaka):
    before = {session.pk: session.starts_at for session in Session.objects.filter(roundtable__forum=dhaka)}
    url = reverse("admin:roundtables_forum_change", args=[dhaka.pk])

    response = organiser_client.post(url, change_form_data(organiser_client.get(url), venue="BICC"), follow=True)

    assert [str(message) for message in response.context["messages"]] == [
        f'The forum “<a href="{url}">Dhaka 2016</a>” was changed successfully.'
    ]
    assert {session.pk: session.starts_at for session in Session.objects.filter(roundtable__forum=dhaka)} == before


def test_a_zone_whose_clocks_skip_a_session_time_is_refused_and_nothing_moves(organiser_client, dhaka):
    # New York skipped from 02:00 to 03:00 on Sunday 13 March 2016.
    dhaka.starts_on, dhaka.ends_on = datetime.date(2016, 3, 12), datetime.date(2016, 3, 13)
    dhaka.save()
    Session.objects.filter(roundtable__forum=dhaka).delete()
    roundtable = dhaka.roundtables.get(number=1)
    skipped = make_session(
        roundtable=roundtable,
        number=1,
        title="Early start",
        starts_at=datetime.datetime(2016, 3, 13, 2, 30, tzinfo=DHAKA),
        ends_at=datetime.datetime(2016, 3, 13, 4, 0, tzinfo=DHAKA),
    )
    url = reverse("admin:roundtables_forum_change", args=[dhaka.pk])

    response = organiser_client.post(url, change_form_data(organiser_client.get(url), time_zone="America/New_York"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["time_zone"] == [
        "In America/New_York the clocks skip these local times, so these sessions cannot keep them: "
        "1.1 “Early start” at 02:30 on March 13, 2016. Move the sessions first, or choose another time zone. "
        "Nothing was saved."
    ]
    assert Forum.objects.get(pk=dhaka.pk).time_zone == "Asia/Dhaka"
    skipped.refresh_from_db()
    assert skipped.starts_at == datetime.datetime(2016, 3, 13, 2, 30, tzinfo=DHAKA)


def test_the_forum_form_says_that_local_times_are_kept(organiser_client, dhaka):
    response = organiser_client.get(reverse("admin:roundtables_forum_change", args=[dhaka.pk]))

    assert response.context["adminform"].form.fields["time_zone"].help_text == (
        "Times of sessions are entered and shown in this time zone. Changing it keeps each session's local "
        "times: a session at 09:00 stays at 09:00, now in the new zone."
    )


# The next edition ---------------------------------------------------------------------------------


def test_the_duplicate_form_asks_for_place_time_zone_and_first_day_and_copies_people_by_default(
    organiser_client, dhaka
):
    response = organiser_client.get(reverse("admin:roundtables_forum_duplicate", args=[dhaka.pk]))

    form = response.context["form"]
    assert list(form.fields) == [
        "name",
        "slug",
        "city",
        "country",
        "venue",
        "time_zone",
        "starts_on",
        "with_people",
    ]
    assert [form[name].value() for name in ["city", "country", "venue", "time_zone", "with_people"]] == [
        None,
        None,
        None,
        None,
        True,
    ]
    assert [form.fields[name].required for name in ["city", "country", "time_zone", "starts_on"]] == [True] * 4
    assert re.search(r'<input type="checkbox" name="with_people"[^>]* checked', response.content.decode())


def test_the_next_edition_keeps_local_times_in_its_own_time_zone_and_copies_the_roles(organiser_client, dhaka):
    chair = make_person(name="A. Chair")
    first = Session.objects.get(roundtable__forum=dhaka, roundtable__number=1, number=1)
    make_participation(session=first, person=chair, role=Participation.Role.CHAIR)

    organiser_client.post(
        reverse("admin:roundtables_forum_duplicate", args=[dhaka.pk]),
        {
            "name": "Berlin 2017",
            "slug": "berlin-2017",
            "city": "Berlin",
            "country": "Germany",
            "venue": "",
            "time_zone": "Europe/Berlin",
            "starts_on": "2017-06-28",
            "with_people": "on",
        },
    )

    copy = Forum.objects.get(slug="berlin-2017")
    assert (copy.city, copy.country, copy.venue, copy.time_zone, copy.starts_on, copy.ends_on) == (
        "Berlin",
        "Germany",
        "",
        "Europe/Berlin",
        datetime.date(2017, 6, 28),
        datetime.date(2017, 6, 30),
    )
    assert local_times(copy) == {
        "1.1": ("Wed 28 09:00", "Wed 28 10:30"),
        "1.2": ("Wed 28 23:30", "Thu 29 00:30"),
        "2.1": ("Thu 29 00:00", "Thu 29 01:30"),
        "2.2": ("Fri 30 08:00", "Fri 30 09:00"),
    }
    copied = Participation.objects.get(session__roundtable__forum=copy)
    assert (copied.session.code, copied.person, copied.role) == ("1.1", chair, "chair")


def test_the_next_edition_refuses_a_time_zone_that_skips_a_session_time(organiser_client, dhaka):
    url = reverse("admin:roundtables_forum_duplicate", args=[dhaka.pk])

    # Saturday 5 November 2016 + 127 days is Saturday 12 March 2017: the copy of 2.1 (Sunday 00:00–01:30)
    # is fine, but New York skips 02:00–03:00 that Sunday; move 1.2 so that its copy ends at 02:30.
    session = Session.objects.get(roundtable__forum=dhaka, roundtable__number=1, number=2)
    session.ends_at = _at(6, 2, 30)
    session.save()
    response = organiser_client.post(
        url,
        {
            "name": "New York 2017",
            "slug": "new-york-2017",
            "city": "New York",
            "country": "United States",
            "time_zone": "America/New_York",
            "starts_on": "2017-03-11",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["time_zone"] == [
        "In America/New_York the clocks skip these local times, so these sessions cannot keep them: "
        "1.2 “Session title 1.2” at 02:30 on March 12, 2017. Move the sessions first, or choose another "
        "time zone. Nothing was saved."
    ]
    assert not Forum.objects.filter(slug="new-york-2017").exists()
