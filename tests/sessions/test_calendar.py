import datetime

import pytest
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from roundtables.models import Status
from sessions.calendar import plain_text
from sessions.models import Issue, Participation
from tests.factories import (
    forum_time,
    make_forum,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
    make_theme,
    make_user,
)

pytestmark = pytest.mark.django_db


def parse(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.content)


def forum_calendar_url(forum):
    return reverse("sessions:forum-calendar", kwargs={"forum": forum.slug})


def session_calendar_url(session):
    return reverse(
        "sessions:calendar",
        kwargs={"forum": session.roundtable.forum.slug, "roundtable": session.roundtable.slug, "slug": session.slug},
    )


def test_forum_calendar_holds_published_scheduled_sessions_in_the_forum_zone(client):
    forum = make_forum(slug="athens-2009", time_zone="Europe/Athens")
    roundtable = make_roundtable(forum=forum)
    first = make_session(
        roundtable=roundtable, number=1, starts_at=forum_time(forum, 0, 9, 30), ends_at=forum_time(forum, 0, 11)
    )
    second = make_session(
        roundtable=roundtable, number=2, starts_at=forum_time(forum, 1, 14), ends_at=forum_time(forum, 1, 15, 30)
    )
    make_session(roundtable=roundtable, number=3, status=Status.DRAFT)
    make_session(roundtable=roundtable, number=4, starts_at=None, ends_at=None)
    make_session(roundtable=make_roundtable(), number=1)  # another forum's

    response = client.get(forum_calendar_url(forum))

    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="athens-2009.ics"'
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["PRODID"]) == "-//GFMD Civil Society Days//Roundtable Portal//EN"
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Athens"]
    events = calendar.walk("VEVENT")
    assert [str(event["UID"]) for event in events] == [
        f"session-{first.pk}@gfmd-portal",
        f"session-{second.pk}@gfmd-portal",
    ]
    assert [(event.start.replace(tzinfo=None), event.end.replace(tzinfo=None)) for event in events] == [
        (datetime.datetime(2009, 11, 2, 9, 30), datetime.datetime(2009, 11, 2, 11, 0)),
        (datetime.datetime(2009, 11, 3, 14, 0), datetime.datetime(2009, 11, 3, 15, 30)),
    ]
    assert {event["DTSTART"].params["TZID"] for event in events} == {"Europe/Athens"}
    assert [event.start for event in events] == [first.starts_at, second.starts_at]
    assert b"DTSTART;TZID=Europe/Athens:20091102T093000\r\n" in response.content


def test_session_calendar_event_carries_summary_place_people_issues_and_themes(client):
    forum = make_forum(slug="athens-2009", time_zone="Europe/Athens")
    roundtable = make_roundtable(forum=forum, number=2, title="Migrant integration", slug="integration")
    session = make_session(
        roundtable=roundtable,
        number=1,
        title="Inclusion and protection",
        slug="inclusion",
        room=make_room(forum=forum, name="Room B"),
        starts_at=forum_time(forum, 0, 9, 30),
        ends_at=forum_time(forum, 0, 11),
        themes=[make_theme(name="Gender"), make_theme(name="Integration")],
    )
    make_participation(
        session=session,
        person=make_person(name="Ana Ruiz", organisation=make_organisation(name="Migrant Forum")),
        role=Participation.Role.CHAIR,
        position=1,
    )
    make_participation(
        session=session, person=make_person(name="Ben Osei"), role=Participation.Role.SPEAKER, position=2
    )
    make_participation(session=session, person=make_person(name="Chen Li"), role=Participation.Role.SPEAKER, position=3)
    issue = make_issue(session=session, text="How to *include* migrants & their families?", position=1)
    make_issue(session=session, parent=issue, text="Access to **schools**", position=1)
    make_issue(session=session, parent=issue, text="Access to health care", position=2)
    make_issue(session=session, kind=Issue.Kind.QUESTION, text="Who pays?", position=2)
    make_session(roundtable=roundtable, number=2, slug="other")

    response = client.get(session_calendar_url(session))

    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="athens-2009-session-2.1.ics"'
    [event] = calendar.walk("VEVENT")
    url = "http://testserver/en/forums/athens-2009/roundtables/integration/inclusion/"
    assert str(event["UID"]) == f"session-{session.pk}@gfmd-portal"
    assert str(event["SUMMARY"]) == "2.1 Inclusion and protection"
    assert str(event["LOCATION"]) == "Room B"
    assert str(event["URL"]) == url
    assert [str(category) for category in event["CATEGORIES"].cats] == ["Gender", "Integration"]
    assert event["DTSTAMP"].dt == session.updated_at.replace(microsecond=0)
    assert event.start == forum_time(forum, 0, 9, 30)
    assert str(event["DESCRIPTION"]) == (
        "Roundtable 2: Migrant integration\n"
        "\n"
        "Chair: Ana Ruiz (Migrant Forum)\n"
        "Speaker: Ben Osei, Chen Li\n"
        "\n"
        "Main issues\n"
        "1. How to include migrants & their families?\n"
        "   – Access to schools\n"
        "   – Access to health care\n"
        "\n"
        "Discussion questions\n"
        "1. Who pays?\n"
        "\n"
        f"{url}"
    )


def test_calendar_urls_and_descriptions_follow_the_language_of_the_address(client):
    session = make_session()

    with translation.override("fr"):
        response = client.get(session_calendar_url(session))

    [event] = parse(response).walk("VEVENT")
    assert str(event["URL"]).startswith("http://testserver/fr/forums/")


def test_draft_session_calendar_is_hidden_from_the_public_and_shown_to_staff(client):
    session = make_session(status=Status.DRAFT)
    url = session_calendar_url(session)

    public = client.get(url)
    client.force_login(make_user(is_staff=True))
    staff = client.get(url)

    assert public.status_code == 404
    assert [str(event["UID"]) for event in parse(staff).walk("VEVENT")] == [f"session-{session.pk}@gfmd-portal"]


def test_draft_forum_calendar_is_not_found(client):
    forum = make_forum(status=Status.DRAFT)
    make_session(roundtable=make_roundtable(forum=forum))

    response = client.get(forum_calendar_url(forum))

    assert response.status_code == 404


def test_unscheduled_session_has_no_calendar(client):
    session = make_session(starts_at=None, ends_at=None)

    response = client.get(session_calendar_url(session))

    assert response.status_code == 404


def test_agenda_calendar_holds_the_given_published_sessions_in_time_order(client):
    athens = make_forum(time_zone="Europe/Athens")
    later = make_session(
        roundtable=make_roundtable(forum=athens), starts_at=forum_time(athens, 1, 9), ends_at=forum_time(athens, 1, 10)
    )
    manila = make_forum(
        time_zone="Asia/Manila", starts_on=datetime.date(2008, 10, 27), ends_on=datetime.date(2008, 10, 28)
    )
    earlier = make_session(roundtable=make_roundtable(forum=manila))
    draft = make_session(roundtable=make_roundtable(forum=athens), status=Status.DRAFT)
    make_session(roundtable=make_roundtable(forum=athens))  # not asked for

    response = client.get(
        reverse("sessions:agenda-calendar"), {"sessions": f"{later.pk},{draft.pk},999999,x,{earlier.pk}"}
    )

    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="my-agenda.ics"'
    assert [str(event["UID"]) for event in calendar.walk("VEVENT")] == [
        f"session-{earlier.pk}@gfmd-portal",
        f"session-{later.pk}@gfmd-portal",
    ]
    assert [event["DTSTART"].params["TZID"] for event in calendar.walk("VEVENT")] == ["Asia/Manila", "Europe/Athens"]
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == ["Asia/Manila", "Europe/Athens"]


@pytest.mark.parametrize("query", [{}, {"sessions": ""}, {"sessions": "x,0,1.5,007"}])
def test_agenda_calendar_without_session_ids_is_not_found(client, query):
    response = client.get(reverse("sessions:agenda-calendar"), query)

    assert response.status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_forum_calendar_queries_stay_flat(client, django_assert_num_queries, count):
    forum = make_forum()
    roundtable = make_roundtable(forum=forum, sessions=count)
    for session in roundtable.sessions.all():
        make_participation(session=session)
        make_issue(parent=make_issue(session=session))
        session.themes.add(make_theme())

    # forum, sessions, participations with people, themes, issues, sub-points
    with django_assert_num_queries(6):
        response = client.get(forum_calendar_url(forum))

    assert len(parse(response).walk("VEVENT")) == count


def test_calendar_links_appear_on_session_forum_and_programme_pages(client):
    forum = make_forum(slug="athens-2009")
    session = make_session(roundtable=make_roundtable(forum=forum, slug="rt"), slug="s")
    calendar_url = "/en/forums/athens-2009/calendar.ics"
    head_link = (
        f'<link rel="alternate" type="text/calendar" title="{forum.name}: calendar" href="{calendar_url}">'
    ).encode()

    session_page = client.get(session.get_absolute_url())
    forum_page = client.get(forum.get_absolute_url())
    programme_page = client.get(reverse("roundtables:programme", kwargs={"forum": forum.slug}))

    assert b'href="/en/forums/athens-2009/roundtables/rt/s/calendar.ics"' in session_page.content
    assert head_link in forum_page.content
    assert head_link in programme_page.content
    assert f'href="{calendar_url}" type="text/calendar">Add to calendar</a>'.encode() in programme_page.content


@pytest.mark.parametrize(
    ("markdown", "text"),
    [
        ("*Gender* & **rights**", "Gender & rights"),
        ("Line one\nline two", "Line one line two"),
        ("- a\n- b", "a b"),
        ("<script>x</script> plain", "x plain"),
        ("", ""),
    ],
)
def test_plain_text_turns_markdown_into_one_line(markdown, text):
    assert plain_text(markdown) == text
