"""Plenaries, breaks and receptions: in the timetable across the row, without a code, a star or a handout."""

import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from sessions.models import Issue, Session
from sessions.pdf import content, document
from tests.factories import forum_time, make_forum, make_issue, make_room, make_roundtable, make_session

PROGRAMME_URL = "/en/forums/oslo-2099/programme/"


@pytest.fixture
def oslo(db):
    forum = make_forum(slug="oslo-2099", time_zone="Europe/Oslo")
    first = make_roundtable(forum=forum, number=1, slug="labour")
    second = make_roundtable(forum=forum, number=2, slug="diaspora")
    hall = make_room(forum=forum, name="Main hall")

    def at(hour, minute=0):
        return forum_time(forum, 0, hour, minute)

    return {
        "forum": forum,
        "opening": make_session(
            roundtable=first,
            number=1,
            title="Opening plenary",
            slug="opening",
            kind=Session.Kind.PLENARY,
            room=hall,
            starts_at=at(9),
            ends_at=at(10),
        ),
        "labour": make_session(
            roundtable=first, number=2, title="Labour mobility", slug="labour", starts_at=at(10), ends_at=at(11)
        ),
        "diaspora": make_session(
            roundtable=second, number=1, title="Diaspora", slug="diaspora", starts_at=at(10), ends_at=at(11)
        ),
        "coffee": make_session(
            roundtable=first,
            number=3,
            title="Coffee break",
            slug="coffee",
            kind=Session.Kind.BREAK,
            starts_at=at(11),
            ends_at=at(11, 30),
        ),
        "reception": make_session(
            roundtable=first,
            number=4,
            title="Evening reception",
            slug="reception",
            kind=Session.Kind.RECEPTION,
            starts_at=at(19),
            ends_at=at(21),
        ),
    }


def card(html, session):
    match = re.search(rf'<article class="([^"]*)" id="session-{session.pk}">(.*?)</article>', html, re.S)
    assert match, f"no card for {session}"
    return match.group(1), match.group(2)


def test_the_programme_shows_non_session_items_across_the_row_without_code_or_star(client, oslo):
    html = client.get(PROGRAMME_URL).content.decode()

    classes, body = card(html, oslo["coffee"])
    assert classes == "session-card timetable-item kind-break"
    assert '<a href="/en/forums/oslo-2099/roundtables/labour/coffee/">Coffee break</a>' in body
    assert 'class="code"' not in body
    assert "agenda-star" not in body
    assert "<span>Break</span>" in body
    assert card(html, oslo["opening"])[0] == "session-card timetable-item kind-plenary"
    assert "<span>Plenary</span> · " in card(html, oslo["opening"])[1]
    assert "<span>Main hall</span>" in card(html, oslo["opening"])[1]
    assert card(html, oslo["reception"])[0] == "session-card timetable-item kind-reception"
    labour_classes, labour = card(html, oslo["labour"])
    assert labour_classes == "session-card"
    assert '<span class="code">1.2</span> Labour mobility' in labour
    assert f'id="star-{oslo["labour"].pk}"' in labour
    assert html.count('class="agenda-star"') == 2


def test_the_forum_page_counts_sessions_only(client, oslo):
    html = client.get("/en/forums/oslo-2099/").content.decode()

    assert re.findall(r'<p class="meta">(\d+ sessions?)</p>', html) == ["1 session", "1 session"]


def test_the_roundtable_page_lists_its_items_without_code_or_star(client, oslo):
    html = client.get("/en/forums/oslo-2099/roundtables/labour/").content.decode()

    assert card(html, oslo["coffee"])[0] == "session-card timetable-item kind-break"
    assert "agenda-star" not in card(html, oslo["opening"])[1]


def test_non_session_items_cost_no_query_more(client, oslo):
    with CaptureQueriesContext(connection) as with_items:
        client.get(PROGRAMME_URL)
    Session.objects.exclude(kind=Session.Kind.SESSION).update(kind=Session.Kind.SESSION)
    cache.clear()  # the page anew, as with items

    with CaptureQueriesContext(connection) as without:
        client.get(PROGRAMME_URL)

    assert len(with_items) == len(without)


def test_a_plenary_page_has_no_code_star_or_handout(client, oslo):
    html = client.get("/en/forums/oslo-2099/roundtables/labour/opening/").content.decode()

    assert "<h1>Opening plenary</h1>" in html
    assert "<title>Opening plenary" in html
    assert '<li aria-current="page">Plenary</li>' in html
    assert "agenda-star" not in html
    assert "handout.pdf" not in html
    assert "/roundtables/labour/opening/calendar.ics" in html  # it is in the timetable: it can go in a calendar


def test_a_break_has_no_handout(client, oslo):
    response = client.get("/en/forums/oslo-2099/roundtables/labour/coffee/handout.pdf")

    assert response.status_code == 404


def test_a_break_cannot_be_starred(client, oslo):
    response = client.post("/en/agenda/toggle/", {"session": str(oslo["coffee"].pk), "action": "add"})

    assert response.status_code == 404
    assert "agenda" not in response.cookies


def test_a_shared_agenda_leaves_out_non_session_items(client, oslo):
    html = client.get("/en/agenda/", {"sessions": f"{oslo['coffee'].pk},{oslo['labour'].pk}"}).content.decode()

    assert re.findall(r'<h3 class="agenda-title"><a href="[^"]*">(.*?)</a></h3>', html) == [
        '<span class="code">1.2</span> Labour mobility'
    ]


def test_calendar_events_of_non_session_items_have_no_code(client, oslo):
    calendar = Calendar.from_ical(client.get("/en/forums/oslo-2099/calendar.ics").content)

    summaries = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]

    assert summaries == ["Opening plenary", "1.2 Labour mobility", "2.1 Diaspora", "Coffee break", "Evening reception"]


def test_the_booklet_shows_items_at_a_glance_only(oslo):
    export = content.export_for(content.BOOKLET, oslo["forum"], language="en")

    context = content.template_context(export)
    data = document.document_data(export, context)

    assert [session.title for session in context["roundtables"][0].pdf_sessions] == ["Labour mobility"]
    glance = {item["title"]: item for day in data["glance"] for slot in day["slots"] for item in slot["items"]}
    assert (glance["Coffee break"]["code"], glance["Coffee break"]["target"]) == ("", "")
    assert (glance["Opening plenary"]["room"], glance["Opening plenary"]["target"]) == ("Main hall", "")
    assert glance["Labour mobility"]["target"] == "session-1-2"
    # no section, no link, no entry in the contents
    assert [s["id"] for r in data["roundtables"] for s in r["sessions"]] == ["session-1-2", "session-2-1"]


def test_only_a_session_has_issues(db, oslo):
    coffee = oslo["coffee"]
    labour = oslo["labour"]
    make_issue(session=labour)

    with pytest.raises(ValidationError) as refused_issue:
        Issue(session=coffee, text="On coffee", kind=Issue.Kind.MAIN_ISSUE).full_clean()
    labour.kind = Session.Kind.PLENARY
    with pytest.raises(ValidationError) as refused_kind:
        labour.full_clean()

    assert refused_issue.value.messages == ["Only a session has issues, not a plenary, break or reception."]
    assert refused_kind.value.message_dict["kind"] == [
        "Only a session has issues: remove its issues first, or keep it a session."
    ]


def test_the_database_refuses_an_unknown_kind(db, oslo):
    with pytest.raises(IntegrityError):
        Session.objects.filter(pk=oslo["coffee"].pk).update(kind="party")


def test_the_admin_sets_the_kind(organiser_client, oslo):
    html = organiser_client.get(f"/admin/programme_sessions/session/{oslo['coffee'].pk}/change/").content.decode()

    assert re.search(r'<select name="kind"[^>]*>', html)
    assert '<option value="break" selected>Break</option>' in html
