import datetime
import html

import hypothesis
import nh3
import pytest
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from core import text as core_text
from core.text import markdown_plain as plain_text
from core.versions import revision
from roundtables.models import Status
from sessions.models import Issue, Participation, Session
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
    assert str(event["LOCATION"]) == "Room B, Athens, Greece"  # the room, then the forum's place
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

    # the page cache's version check, then forum, sessions with their version counts, their forums, people, themes,
    # issues with their sub-points
    with django_assert_num_queries(7):
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
        ("<script>x</script> plain", "plain"),
        ("", ""),
    ],
)
def test_plain_text_turns_markdown_into_one_line(markdown, text):
    assert plain_text(markdown) == text


# Subscriptions: a roundtable, a theme, a person -------------------------------------------------------


def roundtable_calendar_url(roundtable):
    return reverse("sessions:roundtable-calendar", kwargs={"forum": roundtable.forum.slug, "slug": roundtable.slug})


def theme_calendar_url(theme):
    return reverse("sessions:theme-calendar", kwargs={"slug": theme.slug})


def person_calendar_url(person):
    return reverse("sessions:person-calendar", kwargs={"slug": person.slug})


def uids(calendar):
    return [str(event["UID"]) for event in calendar.walk("VEVENT")]


def test_roundtable_calendar_holds_its_published_scheduled_sessions(client):
    forum = make_forum(slug="athens-2009")
    roundtable = make_roundtable(forum=forum, number=2, title="Migrant integration", slug="integration")
    later = make_session(
        roundtable=roundtable, number=1, starts_at=forum_time(forum, 1, 9), ends_at=forum_time(forum, 1, 10)
    )
    earlier = make_session(
        roundtable=roundtable, number=2, starts_at=forum_time(forum, 0, 9), ends_at=forum_time(forum, 0, 10)
    )
    make_session(roundtable=roundtable, number=3, status=Status.DRAFT)
    make_session(roundtable=roundtable, number=4, starts_at=None, ends_at=None)
    make_session(roundtable=make_roundtable(forum=forum, number=1))  # another roundtable's

    response = client.get(roundtable_calendar_url(roundtable))

    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="athens-2009-roundtable-2.ics"'
    assert str(calendar["X-WR-CALNAME"]) == f"{forum.name}: Roundtable 2: Migrant integration"
    assert uids(calendar) == [f"session-{earlier.pk}@gfmd-portal", f"session-{later.pk}@gfmd-portal"]
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in response.content
    assert b"\r\nX-PUBLISHED-TTL:PT1H\r\n" in response.content


def test_theme_calendar_holds_the_theme_sessions_of_every_published_forum(client):
    gender = make_theme(name="Gender", slug="gender")
    athens = make_forum(time_zone="Europe/Athens")
    manila = make_forum(
        time_zone="Asia/Manila", starts_on=datetime.date(2008, 10, 27), ends_on=datetime.date(2008, 10, 28)
    )
    in_athens = make_session(roundtable=make_roundtable(forum=athens), themes=[gender])
    in_manila = make_session(roundtable=make_roundtable(forum=manila), themes=[gender])
    make_session(roundtable=make_roundtable(forum=athens), themes=[make_theme()])  # another theme
    make_session(roundtable=make_roundtable(forum=athens), themes=[gender], status=Status.DRAFT)
    make_session(roundtable=make_roundtable(forum=make_forum(status=Status.DRAFT)), themes=[gender])

    response = client.get(theme_calendar_url(gender))

    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="theme-gender.ics"'
    assert str(calendar["X-WR-CALNAME"]) == "Gender"
    assert uids(calendar) == [f"session-{in_manila.pk}@gfmd-portal", f"session-{in_athens.pk}@gfmd-portal"]
    assert sorted(str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")) == ["Asia/Manila", "Europe/Athens"]


def test_person_calendar_holds_the_sessions_they_have_a_public_role_in(client):
    ana = make_person(name="Ana Ruiz", slug="ana-ruiz", email="ana.private@example.org")
    forum = make_forum()
    roundtable = make_roundtable(forum=forum)
    chaired = make_session(roundtable=roundtable, number=1)
    both = make_session(roundtable=roundtable, number=2)
    make_participation(session=chaired, person=ana, role=Participation.Role.CHAIR)
    make_participation(session=both, person=ana, role=Participation.Role.SPEAKER)
    make_participation(session=both, person=ana, role=Participation.Role.RAPPORTEUR)
    make_participation(session=make_session(roundtable=roundtable, number=3, status=Status.DRAFT), person=ana)
    make_participation(session=make_session(roundtable=roundtable, number=4))  # someone else's

    response = client.get(person_calendar_url(ana))

    calendar = parse(response)
    assert response["Content-Disposition"] == 'attachment; filename="person-ana-ruiz.ics"'
    assert str(calendar["X-WR-CALNAME"]) == "Ana Ruiz"
    assert sorted(uids(calendar)) == sorted([f"session-{chaired.pk}@gfmd-portal", f"session-{both.pk}@gfmd-portal"])
    assert b"ana.private@example.org" not in response.content


def test_subscriptions_never_show_drafts_even_to_staff(client):
    forum = make_forum()
    theme = make_theme()
    person = make_person()
    draft = make_session(roundtable=make_roundtable(forum=forum), status=Status.DRAFT, themes=[theme])
    make_participation(session=draft, person=person)
    client.force_login(make_user(is_staff=True, is_superuser=True))

    roundtable = client.get(roundtable_calendar_url(draft.roundtable))
    theme_calendar = client.get(theme_calendar_url(theme))
    person_calendar = client.get(person_calendar_url(person))

    assert uids(parse(roundtable)) == []
    assert uids(parse(theme_calendar)) == []
    assert person_calendar.status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        lambda: roundtable_calendar_url(make_roundtable(forum=make_forum(status=Status.DRAFT))),
        lambda: reverse("sessions:roundtable-calendar", kwargs={"forum": make_forum().slug, "slug": "nothing"}),
        lambda: reverse("sessions:theme-calendar", kwargs={"slug": "nothing"}),
        lambda: person_calendar_url(make_person()),  # no role at all
    ],
)
def test_calendar_of_something_not_public_is_not_found(client, url):
    response = client.get(url())

    assert response.status_code == 404


def _events_by_uid(response):
    return {str(event["UID"]): event for event in parse(response).walk("VEVENT")}


@pytest.mark.django_db(transaction=True)  # cached calendars are renewed when a change commits
def test_sequence_and_last_modified_move_when_the_session_is_edited(client):
    forum = make_forum()
    session = make_session(
        roundtable=make_roundtable(forum=forum), starts_at=forum_time(forum, 0, 9), ends_at=forum_time(forum, 0, 10)
    )
    a_while_ago = datetime.datetime(2009, 10, 1, 8, 0, tzinfo=datetime.UTC)
    Session.objects.filter(pk=session.pk).update(updated_at=a_while_ago)
    urls = [
        forum_calendar_url(forum),
        roundtable_calendar_url(session.roundtable),
        session_calendar_url(session),
        reverse("sessions:agenda-calendar") + f"?sessions={session.pk}",
    ]
    uid = f"session-{session.pk}@gfmd-portal"
    before = [_events_by_uid(client.get(url))[uid] for url in urls]

    with revision(comment="Moved to the afternoon."):
        session.starts_at = forum_time(forum, 0, 14)
        session.ends_at = forum_time(forum, 0, 15)
        session.save()
    after = [_events_by_uid(client.get(url))[uid] for url in urls]

    assert [event["SEQUENCE"] for event in before] == [0, 0, 0, 0]
    assert [event["SEQUENCE"] for event in after] == [1, 1, 1, 1]
    assert {event["LAST-MODIFIED"].dt for event in before} == {a_while_ago}
    session.refresh_from_db()
    assert {event["LAST-MODIFIED"].dt for event in after} == {session.updated_at.replace(microsecond=0)}
    assert {event.start for event in after} == {forum_time(forum, 0, 14)}


@pytest.mark.django_db(transaction=True)  # cached calendars are renewed when a change commits
def test_sequence_goes_up_with_each_admin_change(client, organiser_client):
    roundtable = make_roundtable()
    first = make_session(roundtable=roundtable, number=1, title="First")
    make_session(roundtable=roundtable, number=2, title="Second")
    url = roundtable_calendar_url(roundtable)

    def sequences():
        return {str(event["SUMMARY"]): event["SEQUENCE"] for event in parse(client.get(url)).walk("VEVENT")}

    seen = [sequences()]
    for direction in ["down", "up", "down"]:
        response = organiser_client.post(reverse("admin:programme_sessions_session_move", args=[first.pk, direction]))
        assert response.status_code == 302
        seen.append(sequences())

    assert seen == [
        {"1.1 First": 0, "1.2 Second": 0},
        {"1.2 First": 1, "1.1 Second": 1},
        {"1.1 First": 2, "1.2 Second": 2},
        {"1.2 First": 3, "1.1 Second": 3},
    ]


def test_sequence_counts_every_recorded_version_of_the_session_in_every_calendar(client):
    forum = make_forum()
    roundtable = make_roundtable(forum=forum)
    edited = make_session(roundtable=roundtable, number=1)
    untouched = make_session(roundtable=roundtable, number=2)
    for title in ["One", "Two", "Three"]:
        with revision(comment="Renamed."):
            edited.title = title
            edited.save()
    with revision(comment="A person added."):
        make_participation(session=edited)

    for url in [forum_calendar_url(forum), roundtable_calendar_url(roundtable)]:
        events = _events_by_uid(client.get(url))

        assert events[f"session-{edited.pk}@gfmd-portal"]["SEQUENCE"] == 4
        assert events[f"session-{untouched.pk}@gfmd-portal"]["SEQUENCE"] == 0


def _synthetic(size):
    from programme.management.commands.make_synthetic_forum import synthetic_forum_build

    return synthetic_forum_build(
        slug=f"synthetic-{size}",
        roundtables=2,
        sessions=size,
        people=8,
        rooms=4,
        themes=2,
        issues=2,
        points=1,
        seed=2009,
        starts_on=datetime.date(2008, 10, 27),
        time_zone="Asia/Manila",
    )


# (address, queries: the page cache's version check, then what the calendar reads, sessions with their
# version counts, their forums, people, themes, issues with their sub-points)
SUBSCRIPTIONS = [
    (lambda forum: roundtable_calendar_url(forum.roundtables.get(number=1)), 8),  # + forum, roundtable
    (lambda forum: theme_calendar_url(forum.roundtables.get(number=1).sessions.first().themes.first()), 7),
    (
        lambda forum: person_calendar_url(
            forum.roundtables.get(number=1).sessions.first().participations.first().person
        ),
        7,
    ),
]


@pytest.mark.parametrize(("url", "queries"), SUBSCRIPTIONS)
@pytest.mark.parametrize("size", [8, 300])
def test_subscription_queries_stay_flat(client, django_assert_num_queries, size, url, queries):
    forum = _synthetic(size)
    address = url(forum)
    with revision(comment="Edited."):
        for session in forum.roundtables.get(number=1).sessions.all()[:2]:
            session.save()

    with django_assert_num_queries(queries):
        response = client.get(address)

    events = parse(response).walk("VEVENT")
    assert len(events) >= size // 4
    assert sorted(event["SEQUENCE"] for event in events)[-2:] == [1, 1]


@pytest.mark.parametrize(
    "url",
    [
        lambda s: roundtable_calendar_url(s.roundtable),
        lambda s: theme_calendar_url(s.themes.get()),
        lambda s: person_calendar_url(s.participations.get().person),
    ],
)
def test_subscriptions_are_cached_like_pages(client, django_assert_num_queries, url):
    session = make_session(themes=[make_theme()])
    make_participation(session=session)
    address = url(session)
    first = client.get(address)

    with django_assert_num_queries(1):
        second = client.get(address)

    assert second.content == first.content
    assert (second["Content-Type"], second["Cache-Control"]) == ("text/calendar; charset=utf-8", "public, no-cache")


def test_roundtable_theme_and_person_pages_link_their_calendars(client):
    forum = make_forum(slug="athens-2009")
    roundtable = make_roundtable(forum=forum, number=2, title="Migrant integration", slug="integration")
    theme = make_theme(name="Gender", slug="gender")
    person = make_person(name="Ana Ruiz", slug="ana-ruiz")
    make_participation(session=make_session(roundtable=roundtable, themes=[theme]), person=person)
    pages = [
        (roundtable.get_absolute_url(), "Roundtable 2: Migrant integration", roundtable_calendar_url(roundtable)),
        (theme.get_absolute_url(), "Gender", "/en/themes/gender/calendar.ics"),
        (person.get_absolute_url(), "Ana Ruiz", "/en/people/ana-ruiz/calendar.ics"),
    ]

    for page, name, calendar_url in pages:
        content = client.get(page).content.decode()

        assert f'<link rel="alternate" type="text/calendar" title="{name}: calendar" href="{calendar_url}">' in content
        assert f'<a class="button secondary" href="{calendar_url}" type="text/calendar">Add to calendar</a>' in content
    assert roundtable_calendar_url(roundtable) == "/en/forums/athens-2009/roundtables/integration/calendar.ics"


# The file as bytes: folding, escaping, times ----------------------------------------------------------------


def unfolded(response):
    return response.content.replace(b"\r\n ", b"").decode()


GREEK_TITLE = "Μετανάστευση και ανάπτυξη: ένταξη, προστασία και αποδοχή των μεταναστών στην κοινωνία"
ARABIC_TITLE = "الهجرة والتنمية: الإدماج والحماية وقبول المهاجرين في المجتمع والتنمية المستدامة"
EMOJI_TITLE = "Migration 🌍🤝 and development 👩‍👩‍👧 — families across borders 🧳✈️🏡 and their rights"


@pytest.mark.parametrize("title", [GREEK_TITLE, ARABIC_TITLE, EMOJI_TITLE])
def test_calendar_lines_stay_within_75_octets_without_cutting_a_character(client, title):
    session = make_session(title=title, room=make_room(name="Αίθουσα Α"), themes=[make_theme(name=title[:60])])

    response = client.get(session_calendar_url(session))

    lines = response.content.split(b"\r\n")
    assert response.content.endswith(b"END:VCALENDAR\r\n")
    assert max(len(line) for line in lines) <= 75
    assert [line.decode() for line in lines]  # each line is whole UTF-8 on its own
    assert any(line.startswith(b" ") for line in lines)  # the title was folded
    [event] = parse(response).walk("VEVENT")
    assert str(event["SUMMARY"]) == f"1.1 {title}"
    assert f"SUMMARY;LANGUAGE=en:1.1 {title.replace(',', chr(92) + ',')}\r\n" in unfolded(response)


def test_calendar_escapes_commas_semicolons_backslashes_and_line_breaks(client):
    forum = make_forum(slug="athens-2009", city="Athens", country="Greece")
    roundtable = make_roundtable(forum=forum, number=1, title="Jobs; skills")
    session = make_session(
        roundtable=roundtable,
        title=r"Jobs, rights; and C:\data",
        room=make_room(forum=forum, name="Hall A, level 2"),
        themes=[make_theme(name="Labour, skills")],
    )
    make_participation(session=session, person=make_person(name="Ana Ruiz"), role=Participation.Role.CHAIR)

    response = client.get(session_calendar_url(session))

    text = unfolded(response)
    assert "\r\nSUMMARY;LANGUAGE=en:1.1 Jobs\\, rights\\; and C:\\\\data\r\n" in text
    assert "\r\nLOCATION:Hall A\\, level 2\\, Athens\\, Greece\r\n" in text
    assert "\r\nCATEGORIES:Labour\\, skills\r\n" in text
    assert "\r\nDESCRIPTION:Roundtable 1: Jobs\\; skills\\n\\nChair: Ana Ruiz\\n\\nhttp://testserver/" in text
    [event] = parse(response).walk("VEVENT")
    assert str(event["SUMMARY"]) == r"1.1 Jobs, rights; and C:\data"
    assert str(event["LOCATION"]) == "Hall A, level 2, Athens, Greece"
    assert [str(category) for category in event["CATEGORIES"].cats] == ["Labour, skills"]
    assert str(event["DESCRIPTION"]).startswith("Roundtable 1: Jobs; skills\n\nChair: Ana Ruiz\n\nhttp://testserver/")


def test_calendar_names_keep_their_commas_as_calendar_apps_read_them(client):
    forum = make_forum(name="Civil Society Days, Athens 2009")
    make_session(roundtable=make_roundtable(forum=forum))

    response = client.get(forum_calendar_url(forum))

    assert "\r\nNAME:Civil Society Days, Athens 2009\r\nX-WR-CALNAME:Civil Society Days, Athens 2009\r\n" in (
        unfolded(response)
    )


def test_calendar_writes_a_session_near_midnight_on_the_forum_clock(client):
    forum = make_forum(time_zone="Europe/Athens")
    session = make_session(
        roundtable=make_roundtable(forum=forum),
        starts_at=forum_time(forum, 0, 23, 30),
        ends_at=forum_time(forum, 1, 0, 30),
    )

    response = client.get(session_calendar_url(session))

    text = unfolded(response)
    assert "\r\nDTSTART;TZID=Europe/Athens:20091102T233000\r\nDTEND;TZID=Europe/Athens:20091103T003000\r\n" in text
    [event] = parse(response).walk("VEVENT")
    assert (event.start, event.end) == (session.starts_at, session.ends_at)
    assert event.start.astimezone(datetime.UTC) == datetime.datetime(2009, 11, 2, 21, 30, tzinfo=datetime.UTC)


def test_calendar_of_a_forum_in_new_york_keeps_local_times_across_the_change_of_clocks(client):
    forum = make_forum(
        time_zone="America/New_York", starts_on=datetime.date(2009, 10, 31), ends_on=datetime.date(2009, 11, 1)
    )
    roundtable = make_roundtable(forum=forum)
    summer = make_session(
        roundtable=roundtable, number=1, starts_at=forum_time(forum, 0, 23, 30), ends_at=forum_time(forum, 1, 0, 30)
    )
    winter = make_session(
        roundtable=roundtable, number=2, starts_at=forum_time(forum, 1, 9), ends_at=forum_time(forum, 1, 10)
    )
    # 01:30 comes twice that night; the second time (EST) is written in UTC, as a local time means the first.
    repeated = make_session(
        roundtable=roundtable,
        number=3,
        starts_at=datetime.datetime(2009, 11, 1, 6, 30, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2009, 11, 1, 7, 30, tzinfo=datetime.UTC),
    )

    response = client.get(forum_calendar_url(forum))

    text = unfolded(response)
    assert (
        "\r\nDTSTART;TZID=America/New_York:20091031T233000\r\nDTEND;TZID=America/New_York:20091101T003000\r\n" in text
    )
    assert "\r\nDTSTART:20091101T063000Z\r\nDTEND;TZID=America/New_York:20091101T023000\r\n" in text
    assert (
        "\r\nDTSTART;TZID=America/New_York:20091101T090000\r\nDTEND;TZID=America/New_York:20091101T100000\r\n" in text
    )
    assert (
        "\r\nBEGIN:STANDARD\r\nDTSTART:20081102T020000\r\nRDATE:20091101T020000\r\nTZNAME:EST\r\n"
        "TZOFFSETFROM:-0400\r\nTZOFFSETTO:-0500\r\nEND:STANDARD\r\n"
    ) in text
    calendar = parse(response)
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
    assert [(event.start, event.end) for event in calendar.walk("VEVENT")] == [
        (summer.starts_at, summer.ends_at),
        (repeated.starts_at, repeated.ends_at),
        (winter.starts_at, winter.ends_at),
    ]


def test_calendar_of_a_forum_on_utc_writes_utc_times_and_no_time_zone(client):
    forum = make_forum(time_zone="UTC")
    session = make_session(roundtable=make_roundtable(forum=forum), starts_at=forum_time(forum, 0, 9))

    response = client.get(session_calendar_url(session))

    text = unfolded(response)
    assert "\r\nDTSTART:20091102T090000Z\r\n" in text
    assert "VTIMEZONE" not in text
    [event] = parse(response).walk("VEVENT")
    assert event.start == session.starts_at


def test_calendar_stamps_are_the_session_change_in_utc_without_fractions(client):
    session = make_session()
    changed = datetime.datetime(2009, 10, 1, 8, 0, 15, 123456, tzinfo=datetime.UTC)
    Session.objects.filter(pk=session.pk).update(updated_at=changed)

    text = unfolded(client.get(session_calendar_url(session)))

    assert "\r\nDTSTAMP:20091001T080015Z\r\nLAST-MODIFIED:20091001T080015Z\r\nSEQUENCE:0\r\n" in text


def test_french_calendar_gives_every_text_in_french_and_english_where_it_has_none(client):
    forum = make_forum(slug="athens-2009", city="Athens", city_fr="Athènes", country="Greece", country_fr="Grèce")
    roundtable = make_roundtable(
        forum=forum, number=2, title="Migrant integration", title_fr="Intégration des migrants"
    )
    session = make_session(
        roundtable=roundtable,
        number=1,
        title="Inclusion",
        room=make_room(forum=forum, name="Room B", name_fr="Salle B"),
        themes=[make_theme(name="Gender", name_fr="Genre"), make_theme(name="Integration")],
    )
    make_participation(
        session=session,
        person=make_person(
            name="Ana Ruiz", organisation=make_organisation(name="Migrant Forum", name_fr="Forum des migrants")
        ),
        role=Participation.Role.CHAIR,
    )
    issue = make_issue(session=session, text="Who *pays*?", text_fr="Qui *paie* ?")
    make_issue(session=session, parent=issue, text="Schools")

    with translation.override("fr"):
        response = client.get(session_calendar_url(session))

    [event] = parse(response).walk("VEVENT")
    assert (str(event["SUMMARY"]), event["SUMMARY"].params["LANGUAGE"]) == ("2.1 Inclusion", "en")
    assert str(event["LOCATION"]) == "Salle B, Athènes, Grèce"
    assert sorted(str(category) for category in event["CATEGORIES"].cats) == ["Genre", "Integration"]
    url = str(event["URL"])
    assert url.startswith("http://testserver/fr/forums/athens-2009/")
    assert str(event["DESCRIPTION"]) == (
        "Table ronde 2\xa0: Intégration des migrants\n"
        "\n"
        "Président(e) de séance\xa0: Ana Ruiz (Forum des migrants)\n"
        "\n"
        "Questions principales\n"
        "1. Qui paie ?\n"
        "   – Schools\n"
        "\n"
        f"{url}"
    )


def _busy_session(roundtable):
    session = make_session(roundtable=roundtable, themes=[make_theme(), make_theme()])
    make_participation(session=session, person=make_person(organisation=make_organisation()))
    make_participation(session=session, role=Participation.Role.SPEAKER)
    make_issue(parent=make_issue(session=session))
    return session


@pytest.mark.parametrize(("forums", "per_forum"), [(1, 1), (3, 4)])
def test_agenda_calendar_queries_stay_flat_across_sessions_and_forums(
    client, django_assert_num_queries, forums, per_forum
):
    ids = []
    for index in range(forums):
        forum = make_forum(time_zone=["Europe/Athens", "Asia/Manila", "America/New_York"][index])
        roundtable = make_roundtable(forum=forum)
        ids += [_busy_session(roundtable).pk for _ in range(per_forum)]

    # the page cache's version check, then sessions with their version counts, forums, people, themes, issues
    with django_assert_num_queries(6):
        response = client.get(reverse("sessions:agenda-calendar"), {"sessions": ",".join(map(str, ids))})

    calendar = parse(response)
    assert len(calendar.walk("VEVENT")) == forums * per_forum
    assert len(calendar.walk("VTIMEZONE")) == forums


@pytest.mark.parametrize(
    "text",
    [
        "How to include migrants and their families?",
        "Access to health care (e.g. clinics) – 5 years, or more: who pays?",
        "  spaces   inside  ",
        "Migrants’ rights — «droits» & “voice”",
        "1. listed",
        "- listed",
        "+ listed",
        "2) listed",
        "*emphasis*",
        "_emphasis_",
        "a <b>tag</b>",
        "a &amp; b",
        "[link](https://example.org)",
        "`code`",
        "# heading",
        "> quote",
        "escaped \\* star",
        "line\nbreak",
        "tab\tbetween",
        "back\\slash",
        "    indented code",
        "Ελληνικά, العربية, 🌍",
        "",
    ],
)
def test_plain_text_equals_the_markdown_reading_of_the_text(text):
    assert plain_text(text) == _parsed_plain(text)


MARKUP_PIECES = [
    *"ab 12.)-+*_`#>[]<&\\!|~=(),:;?'\"\n\t\r\x00\u00a0éΩ🌍",
    "&amp;",
    "<b>",
    "1. ",
    "- ",
    "    ",
    "http://x.org",
]


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(
    hypothesis.strategies.lists(hypothesis.strategies.sampled_from(MARKUP_PIECES), max_size=20).map("".join)
    | hypothesis.strategies.text(max_size=30)
)
def test_plain_text_equals_the_markdown_reading_of_any_text(text):
    assert plain_text(text) == _parsed_plain(text)


def _parsed_plain(source):
    """``markdown_plain`` without its shortcut for plain lines: every text through the parser."""
    markup = core_text._render_parsed(source)[0]
    return " ".join((source if markup is None else html.unescape(nh3.clean(markup, tags=set()))).split())
