"""The frab schedule of a forum (schedule.xml and schedule.json), checked against the public schemas."""

import datetime
import json
import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from jsonschema import Draft6Validator
from lxml import etree

from core.versions import revision
from programme.management.commands.make_synthetic_forum import synthetic_forum_build
from roundtables.models import Status
from sessions.models import Participation
from tests.factories import (
    forum_time,
    make_document,
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

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
XSD = etree.XMLSchema(etree.parse(str(SCHEMAS / "schedule.xml.xsd")))
JSON_SCHEMA = json.loads((SCHEMAS / "schedule.json.schema.json").read_text())
JSON_VALIDATOR = Draft6Validator(JSON_SCHEMA, format_checker=Draft6Validator.FORMAT_CHECKER)
# What the portal promises: the same GUID for a session in every export, on every server.
NAMESPACE = uuid.UUID("f339da17-397c-4baf-858a-6f53f91794aa")


def xml_url(forum, language="en"):
    return f"/{language}/forums/{forum.slug}/schedule.xml"


def json_url(forum, language="en"):
    return f"/{language}/forums/{forum.slug}/schedule.json"


def valid_xml(response):
    """The parsed schedule.xml, after checking it against the XSD (every error listed on failure)."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    document = etree.fromstring(response.content)
    valid = XSD.validate(document)
    assert valid, [f"line {error.line}: {error.message}" for error in XSD.error_log]
    return document


def valid_json(response):
    """The parsed schedule.json, after checking it against the JSON Schema, formats included."""
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in JSON_VALIDATOR.iter_errors(data)]
    assert errors == []
    return data


def json_events(data):
    return [
        event for day in data["schedule"]["conference"]["days"] for events in day["rooms"].values() for event in events
    ]


def build_synthetic(size, **overrides):
    options = {
        "slug": f"synthetic-{size}",
        "roundtables": 2,
        "sessions": size,
        "people": 8,
        "rooms": 4,
        "themes": 2,
        "issues": 2,
        "points": 1,
        "seed": 2009,
        "starts_on": datetime.date(2008, 10, 27),
        "time_zone": "Asia/Manila",
    }
    options.update(overrides)
    return synthetic_forum_build(**options)


@pytest.fixture
def forum():
    """Athens, with session 2.1 fully described, and around it what must never be exported."""
    forum = make_forum(name="Civil Society Days, Athens 2009", slug="athens-2009", time_zone="Europe/Athens")
    roundtable = make_roundtable(forum=forum, number=2, title="Migrant integration", slug="integration")
    session = make_session(
        roundtable=roundtable,
        number=1,
        title="Inclusion and protection",
        slug="inclusion",
        background="Migrants *build* bridges.\n\nSecond paragraph & more.",
        room=make_room(forum=forum, name="Room B", position=2),
        starts_at=forum_time(forum, 0, 9, 30),
        ends_at=forum_time(forum, 0, 11),
        themes=[make_theme(name="Gender")],
    )
    ana = make_person(
        name="Ana Ruiz",
        slug="ana-ruiz",
        email="ana.private@example.org",
        organisation=make_organisation(name="Migrant Forum"),
    )
    make_participation(session=session, person=ana, role=Participation.Role.CHAIR, position=1)
    make_participation(
        session=session, person=make_person(name="Ben Osei"), role=Participation.Role.SPEAKER, position=2
    )
    make_participation(session=session, person=ana, role=Participation.Role.RAPPORTEUR, position=3)
    make_issue(session=session, text="How to include migrants?", position=1)
    make_document(session=session, title="Background paper on inclusion")
    make_session(
        roundtable=make_roundtable(forum=forum, number=1, title="Nexus", slug="nexus"),
        number=1,
        slug="nexus-1",
        starts_at=forum_time(forum, 1, 14),
        ends_at=forum_time(forum, 1, 15),
    )  # no room yet
    make_session(roundtable=roundtable, number=2, slug="draft", status=Status.DRAFT)
    make_session(roundtable=roundtable, number=3, slug="unscheduled", starts_at=None, ends_at=None)
    make_session(roundtable=make_roundtable(), number=1, slug="elsewhere")  # another forum's
    forum.session = session
    return forum


# Both exports validate ----------------------------------------------------------------------------


def test_athens_schedule_xml_is_valid_and_holds_the_published_sessions(client, athens):
    response = client.get(xml_url(athens))

    document = valid_xml(response)
    assert document.findtext("conference/acronym") == "athens_2009"
    assert document.findtext("conference/time_zone_name") == "Europe/Athens"
    assert [day.get("date") for day in document.findall("day")] == ["2009-11-02", "2009-11-03"]
    assert len(document.findall("day/room/event")) == 8


def test_athens_schedule_json_is_valid_and_holds_the_published_sessions(client, athens):
    response = client.get(json_url(athens))

    data = valid_json(response)
    conference = data["schedule"]["conference"]
    assert (conference["acronym"], conference["start"], conference["end"], conference["daysCount"]) == (
        "athens_2009",
        "2009-11-02",
        "2009-11-03",
        2,
    )
    assert len(json_events(data)) == 8
    assert [track["slug"] for track in conference["tracks"]] == ["roundtable-1", "roundtable-2", "roundtable-3"]


def test_synthetic_forum_schedules_are_valid(client):
    forum = build_synthetic(60, roundtables=5, rooms=6, people=40)

    xml = valid_xml(client.get(xml_url(forum)))
    data = valid_json(client.get(json_url(forum)))

    assert len(xml.findall("day/room/event")) == 60
    assert len(json_events(data)) == 60
    assert data["schedule"]["conference"]["time_zone_name"] == "Asia/Manila"
    assert [day.get("date") for day in xml.findall("day")] == ["2008-10-27", "2008-10-28", "2008-10-29"]


def test_text_that_xml_cannot_hold_is_left_out_and_the_export_stays_valid(client):
    forum = make_forum()
    make_session(
        roundtable=make_roundtable(forum=forum, title="Bell\x07 and <b>tags</b>"),
        title="Form\x0cfeed & <script>alert(1)</script>",
        background="Escape\x1b, non\ufffecharacter, and ]]> end of CDATA.",
    )

    xml = valid_xml(client.get(xml_url(forum)))
    data = valid_json(client.get(json_url(forum)))

    [event] = json_events(data)
    assert xml.findtext("day/room/event/title") == event["title"] == "1.1 Formfeed & <script>alert(1)</script>"
    assert xml.findtext("day/room/event/abstract") == event["abstract"] == "Escape, noncharacter, and ]]> end of CDATA."
    assert xml.findtext("day/room/event/track") == event["track"] == "Roundtable 1: Bell and <b>tags</b>"


# What an event says ---------------------------------------------------------------------------------


def test_json_event_carries_time_room_track_people_and_links(client, forum):
    session = forum.session

    data = valid_json(client.get(json_url(forum)))

    schedule = data["schedule"]
    conference = schedule["conference"]
    [day1, day2] = conference["days"]
    assert (day1["index"], day1["date"], day1["day_start"], day1["day_end"]) == (
        1,
        "2009-11-02",
        "2009-11-02T09:30:00+02:00",
        "2009-11-02T11:00:00+02:00",
    )
    assert list(day1["rooms"]) == ["Room B", "To be announced"]
    assert day1["rooms"]["To be announced"] == []
    assert [event["slug"] for event in day2["rooms"]["To be announced"]] == ["athens_2009-1-1-nexus-1"]
    [event] = day1["rooms"]["Room B"]
    page = "http://testserver/en/forums/athens-2009/roundtables/integration/inclusion/"
    assert event == {
        "guid": str(uuid.uuid5(NAMESPACE, f"session:{session.pk}")),
        "id": session.pk,
        "date": "2009-11-02T09:30:00+02:00",
        "start": "09:30",
        "end": "2009-11-02T11:00:00+02:00",
        "duration": "01:30",
        "room": "Room B",
        "slug": "athens_2009-2-1-inclusion",
        "url": page,
        "title": "2.1 Inclusion and protection",
        "subtitle": None,
        "track": "Roundtable 2: Migrant integration",
        "type": "Session",
        "language": "en",
        "abstract": "Migrants build bridges.\n\nSecond paragraph & more.",
        "description": (
            "Roundtable 2: Migrant integration\n"
            "\n"
            "Chair: Ana Ruiz (Migrant Forum)\n"
            "Rapporteur: Ana Ruiz (Migrant Forum)\n"
            "Speaker: Ben Osei\n"
            "\n"
            "Main issues\n"
            "1. How to include migrants?\n"
            "\n"
            "Cross-cutting themes: Gender"
        ),
        "persons": [
            {
                "id": event["persons"][0]["id"],
                "guid": str(uuid.uuid5(NAMESPACE, f"person:{event['persons'][0]['id']}")),
                "name": "Ana Ruiz",
                "role": "Chair, Rapporteur",
                "url": "http://testserver/en/people/ana-ruiz/",
            },
            {
                "id": event["persons"][1]["id"],
                "guid": str(uuid.uuid5(NAMESPACE, f"person:{event['persons'][1]['id']}")),
                "name": "Ben Osei",
                "role": "Speaker",
                "url": event["persons"][1]["url"],
            },
        ],
        "links": [
            {"url": page, "title": "2.1 Inclusion and protection", "type": "web"},
            {
                "url": "http://testserver/en/forums/athens-2009/roundtables/integration/",
                "title": "Roundtable 2: Migrant integration",
                "type": "related",
            },
        ],
        "attachments": [
            {
                "url": f"http://testserver/en/documents/{session.documents.get().pk}/en/",
                "title": "Background paper on inclusion",
                "type": "paper",
            }
        ],
    }
    assert [room["name"] for room in conference["rooms"]] == ["Room B", "To be announced"]
    assert conference["tracks"] == [
        {"name": "Roundtable 1: Nexus", "slug": "roundtable-1"},
        {"name": "Roundtable 2: Migrant integration", "slug": "roundtable-2"},
    ]
    assert (conference["url"], schedule["base_url"]) == (
        "http://testserver/en/forums/athens-2009/",
        "http://testserver/",
    )


def test_xml_event_carries_time_room_track_people_and_links(client, forum):
    session = forum.session

    document = valid_xml(client.get(xml_url(forum)))

    [day1, day2] = document.findall("day")
    assert (day1.get("index"), day1.get("start"), day1.get("end")) == (
        "1",
        "2009-11-02T09:30:00+02:00",
        "2009-11-02T11:00:00+02:00",
    )
    assert [room.get("name") for room in day1.findall("room")] == ["Room B", "To be announced"]
    event = day1.find("room/event")
    assert (event.get("id"), event.get("guid")) == (
        str(session.pk),
        str(uuid.uuid5(NAMESPACE, f"session:{session.pk}")),
    )
    fields = {child.tag: child.text for child in event if len(child) == 0}
    assert {
        name: fields[name] for name in ["room", "date", "start", "duration", "track", "type", "slug", "language"]
    } == {
        "room": "Room B",
        "date": "2009-11-02T09:30:00+02:00",
        "start": "09:30",
        "duration": "01:30",
        "track": "Roundtable 2: Migrant integration",
        "type": "Session",
        "slug": "athens_2009-2-1-inclusion",
        "language": "en",
    }
    assert [(person.get("id"), person.text) for person in event.findall("persons/person")] == [
        (str(session.participations.get(role="chair").person_id), "Ana Ruiz"),
        (str(session.participations.get(role="speaker").person_id), "Ben Osei"),
    ]
    assert (
        "Chair: Ana Ruiz (Migrant Forum)\nRapporteur: Ana Ruiz (Migrant Forum)\nSpeaker: Ben Osei\n"
        in event.findtext("description")
    )
    assert [(link.get("href"), link.text) for link in event.findall("links/link")] == [
        ("http://testserver/en/forums/athens-2009/roundtables/integration/inclusion/", "2.1 Inclusion and protection"),
        ("http://testserver/en/forums/athens-2009/roundtables/integration/", "Roundtable 2: Migrant integration"),
    ]
    assert [(item.get("href"), item.get("type"), item.text) for item in event.findall("attachments/attachment")] == [
        (f"http://testserver/en/documents/{session.documents.get().pk}/en/", "paper", "Background paper on inclusion")
    ]
    assert [(track.get("name"), track.get("slug")) for track in document.findall("conference/track")] == [
        ("Roundtable 1: Nexus", "roundtable-1"),
        ("Roundtable 2: Migrant integration", "roundtable-2"),
    ]
    assert day2.find("room/event/room").text == "To be announced"


def test_times_are_in_the_forum_zone_across_a_daylight_saving_change(client):
    forum = make_forum(
        time_zone="America/Sao_Paulo", starts_on=datetime.date(2026, 11, 1), ends_on=datetime.date(2026, 11, 2)
    )
    make_session(
        roundtable=make_roundtable(forum=forum),
        starts_at=forum_time(forum, 1, 23, 30),
        ends_at=forum_time(forum, 1, 23, 30) + datetime.timedelta(hours=2, minutes=15),
    )

    [event] = json_events(valid_json(client.get(json_url(forum))))

    assert (event["date"], event["start"], event["duration"], event["end"]) == (
        "2026-11-02T23:30:00-03:00",
        "23:30",
        "02:15",
        "2026-11-03T01:45:00-03:00",
    )


@pytest.mark.django_db(transaction=True)  # the programme's version moves when a change commits
def test_guids_stay_the_same_across_exports_and_languages(client, forum):
    first = json_events(valid_json(client.get(json_url(forum))))
    make_session(roundtable=forum.session.roundtable, number=4, slug="added")
    second = json_events(valid_json(client.get(json_url(forum))))
    french = valid_xml(client.get(xml_url(forum, "fr")))

    guids = {event["id"]: event["guid"] for event in first}
    assert {event["id"]: event["guid"] for event in second if event["id"] in guids} == guids
    assert len(second) == len(first) + 1
    assert {int(event.get("id")): event.get("guid") for event in french.iter("event")} == {
        event["id"]: event["guid"] for event in second
    }


@pytest.mark.django_db(transaction=True)  # the programme's version moves when a change commits
def test_version_changes_when_the_programme_is_edited(client, forum):
    before_json = valid_json(client.get(json_url(forum)))["schedule"]["version"]
    before_xml = valid_xml(client.get(xml_url(forum))).findtext("version")
    session = forum.session

    with revision(comment="Moved."):
        session.starts_at = forum_time(forum, 0, 10)
        session.ends_at = forum_time(forum, 0, 12)
        session.save()
    after = valid_json(client.get(json_url(forum)))

    assert before_json == before_xml
    assert after["schedule"]["version"] != before_json
    assert json_events(after)[0]["start"] == "10:00"


def test_french_schedule_speaks_french(client, forum):
    data = valid_json(client.get(json_url(forum, "fr")))

    event = json_events(data)[0]
    assert (event["language"], event["type"], event["track"]) == (
        "fr",
        "Session",
        "Table ronde 2\xa0: Migrant integration",
    )
    assert event["url"] == "http://testserver/fr/forums/athens-2009/roundtables/integration/inclusion/"
    assert [person["role"] for person in event["persons"]] == ["Président(e) de séance, Rapporteur", "Intervenant(e)"]
    assert "To be announced" not in data["schedule"]["conference"]["days"][1]["rooms"]


# Who sees what --------------------------------------------------------------------------------------


def test_schedule_leaves_out_drafts_unscheduled_sessions_other_forums_and_private_data(client, forum):
    xml = client.get(xml_url(forum))
    data = valid_json(client.get(json_url(forum)))

    assert sorted(event["slug"] for event in json_events(data)) == [
        "athens_2009-1-1-nexus-1",
        "athens_2009-2-1-inclusion",
    ]
    for content in (xml.content, json.dumps(data).encode()):
        assert b"ana.private@example.org" not in content
        assert b"draft" not in content
        assert b"unscheduled" not in content
        assert b"elsewhere" not in content


def test_staff_get_the_public_schedule_too(client, forum):
    client.force_login(make_user(is_staff=True, is_superuser=True))

    data = valid_json(client.get(json_url(forum)))

    assert len(json_events(data)) == 2


@pytest.mark.parametrize("url", [xml_url, json_url])
def test_draft_forum_has_no_schedule_even_for_staff(client, url):
    forum = make_forum(status=Status.DRAFT)
    make_session(roundtable=make_roundtable(forum=forum))

    public = client.get(url(forum))
    client.force_login(make_user(is_staff=True))
    staff = client.get(url(forum))

    assert (public.status_code, staff.status_code) == (404, 404)


def test_forum_without_scheduled_sessions_still_gives_valid_schedules(client):
    forum = make_forum()
    make_session(roundtable=make_roundtable(forum=forum), starts_at=None, ends_at=None)

    xml = valid_xml(client.get(xml_url(forum)))
    data = valid_json(client.get(json_url(forum)))

    assert [len(day) for day in xml.findall("day")] == [0, 0]
    assert json_events(data) == []


# Cost, cache and links ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [xml_url, json_url])
@pytest.mark.parametrize("size", [8, 300])
def test_schedule_queries_stay_flat(client, django_assert_num_queries, size, url):
    forum = build_synthetic(size)
    for session in forum.roundtables.get(number=1).sessions.all()[:3]:
        make_document(session=session)

    # version check of the page cache, forum, programme stamp, sessions, people, themes, issues, sub-points,
    # documents: the sessions', their roundtables', their files
    with django_assert_num_queries(11):
        response = client.get(url(forum))

    assert response.status_code == 200
    assert response.content.count(b"/roundtables/roundtable-1/session-") >= size // 2


@pytest.mark.parametrize("url", [xml_url, json_url])
def test_schedule_is_cached_like_a_page(client, forum, django_assert_num_queries, url):
    first = client.get(url(forum))

    with django_assert_num_queries(1):
        second = client.get(url(forum))

    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert second["Cache-Control"] == "public, no-cache"


def test_forum_page_links_and_advertises_both_schedules(client, forum):
    response = client.get(forum.get_absolute_url())

    content = response.content.decode()
    assert (
        '<link rel="alternate" type="application/xml" title="Civil Society Days, Athens 2009: schedule for '
        'conference apps" href="/en/forums/athens-2009/schedule.xml">'
    ) in content
    assert (
        '<link rel="alternate" type="application/json" title="Civil Society Days, Athens 2009: schedule for '
        'conference apps" href="/en/forums/athens-2009/schedule.json">'
    ) in content
    assert '<a class="button secondary" href="/en/forums/athens-2009/schedule.xml" type="application/xml">' in content
    assert reverse("sessions:schedule-json", kwargs={"forum": "athens-2009"}) == "/en/forums/athens-2009/schedule.json"
