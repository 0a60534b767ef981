"""Who sees drafts (``roundtables.selectors.can_preview``): staff only.

A delegate who has an account and is signed in (active, not staff) sees exactly what an anonymous
visitor sees, on every public reader of the programme: pages, search, calendars, the agenda, PDFs,
documents and the sitemap. Each test runs for both visitors, with the same expected outcome.
"""

import datetime
import io
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from roundtables.models import Status
from sessions.models import Participation
from tests.factories import (
    forum_time,
    make_document,
    make_forum,
    make_issue,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
    make_theme,
    make_user,
)

SESSION_URL = "/en/forums/lisbon-2099/roundtables/labour-mobility/decent-work/"
DRAFT_URL = "/en/forums/lisbon-2099/roundtables/labour-mobility/secret-plans/"


@pytest.fixture(params=["anonymous", "signed-in delegate"])
def visitor(request, client, db):
    """A test client for someone who is not staff: anonymous, or signed in with an ordinary account."""
    if request.param == "signed-in delegate":
        delegate = make_user(username="delegate", is_staff=False, is_active=True)
        client.force_login(delegate)
        assert client.get("/en/forums/").wsgi_request.user == delegate  # really signed in
    return client


@pytest.fixture
def lisbon(db):
    """A published forum with a published and a draft session, and a later draft forum; every hidden
    record's title says "Secret"."""
    forum = make_forum(
        name="Civil Society Days, Lisbon 2099",
        slug="lisbon-2099",
        starts_on=datetime.date(2099, 5, 4),
        ends_on=datetime.date(2099, 5, 5),
        time_zone="Europe/Lisbon",
    )
    theme = make_theme(name="Gender", slug="gender")
    roundtable = make_roundtable(forum=forum, number=1, title="Labour mobility", slug="labour-mobility")
    session = make_session(
        roundtable=roundtable,
        number=1,
        title="Decent work",
        slug="decent-work",
        room=make_room(forum=forum, name="Room A"),
        themes=[theme],
        starts_at=forum_time(forum, 0, 9),
        ends_at=forum_time(forum, 0, 10, 30),
    )
    draft = make_session(
        roundtable=roundtable,
        number=2,
        title="Secret plans",
        slug="secret-plans",
        status=Status.DRAFT,
        themes=[theme],
        starts_at=forum_time(forum, 0, 14),
        ends_at=forum_time(forum, 0, 15),
    )
    chair = make_person(name="Amina Okafor", slug="amina-okafor")
    make_participation(session=session, person=chair, role=Participation.Role.CHAIR)
    make_participation(session=draft, person=chair, role=Participation.Role.SPEAKER)
    hidden = make_person(name="Secret Speaker", slug="secret-speaker")
    make_participation(session=draft, person=hidden)
    make_issue(session=draft, text="Secret issue")
    paper = make_document(session=session, title="Work paper")
    secret_paper = make_document(session=draft, title="Secret paper")

    draft_forum = make_forum(
        name="Secret forum 2100",
        slug="draft-2100",
        status=Status.DRAFT,
        starts_on=datetime.date(2100, 5, 4),
        ends_on=datetime.date(2100, 5, 5),
    )
    planned = make_session(
        roundtable=make_roundtable(forum=draft_forum, title="Secret roundtable", slug="planned"),
        title="Secret planned session",
        slug="planned-session",
    )
    forum_paper = make_document(forum=draft_forum, title="Secret concept note")
    return SimpleNamespace(
        forum=forum,
        roundtable=roundtable,
        session=session,
        draft=draft,
        chair=chair,
        paper=paper,
        secret_paper=secret_paper,
        draft_forum=draft_forum,
        planned=planned,
        forum_paper=forum_paper,
    )


def _calendar_uids(response):
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return [str(event["UID"]) for event in Calendar.from_ical(response.content).walk("VEVENT")]


def _pdf_text(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages)


# Pages ------------------------------------------------------------------------------------------


def test_home_leads_to_the_latest_published_forum_not_a_later_draft(visitor, lisbon):
    response = visitor.get("/en/")

    assert (response.status_code, response["Location"]) == (302, "/en/forums/lisbon-2099/")


def test_forum_list_leaves_out_draft_forums(visitor, lisbon):
    response = visitor.get("/en/forums/")

    assert list(response.context["forums"]) == [lisbon.forum]
    assert "Secret" not in response.content.decode()


def test_forum_page_counts_published_sessions_only(visitor, lisbon):
    response = visitor.get("/en/forums/lisbon-2099/")

    html = response.content.decode()
    assert [roundtable.session_total for roundtable in response.context["roundtables"]] == [1]
    assert '<p class="meta">1 session</p>' in html
    assert "Secret" not in html


def test_programme_shows_published_sessions_only(visitor, lisbon):
    response = visitor.get("/en/forums/lisbon-2099/programme/")

    assert response.context["session_count"] == 1
    assert [s for day in response.context["days"] for slot in day["slots"] for s in slot["sessions"]] == [
        lisbon.session
    ]
    assert "Secret" not in response.content.decode()


def test_documents_page_leaves_out_the_documents_of_draft_sessions(visitor, lisbon):
    response = visitor.get("/en/forums/lisbon-2099/documents/")

    assert list(response.context["documents"]) == [lisbon.paper]
    assert "Secret" not in response.content.decode()


def test_roundtable_page_shows_published_sessions_only(visitor, lisbon):
    response = visitor.get("/en/forums/lisbon-2099/roundtables/labour-mobility/")

    assert response.context["sessions"] == [lisbon.session]
    assert "Secret" not in response.content.decode()


def test_theme_list_counts_published_sessions_only(visitor, lisbon):
    response = visitor.get("/en/themes/")

    assert [(theme.name, theme.session_total) for theme in response.context["themes"]] == [("Gender", 1)]


def test_theme_page_shows_published_sessions_only(visitor, lisbon):
    response = visitor.get("/en/themes/gender/")

    assert list(response.context["sessions"]) == [lisbon.session]
    assert "Secret" not in response.content.decode()


def test_session_page_links_no_draft_neighbour(visitor, lisbon):
    response = visitor.get(SESSION_URL)

    assert (response.context["previous"], response.context["following"]) == (None, None)
    assert "Secret" not in response.content.decode()


def test_person_page_shows_published_roles_only(visitor, lisbon):
    response = visitor.get("/en/people/amina-okafor/")

    assert [(p.session, p.role) for p in response.context["participations"]] == [(lisbon.session, "chair")]
    assert "Secret" not in response.content.decode()


DRAFT_ADDRESSES = {
    "draft session page": DRAFT_URL,
    "draft session calendar": f"{DRAFT_URL}calendar.ics",
    "draft session handout": f"{DRAFT_URL}handout.pdf",
    "person with draft roles only": "/en/people/secret-speaker/",
    "draft forum page": "/en/forums/draft-2100/",
    "draft forum programme": "/en/forums/draft-2100/programme/",
    "draft forum documents": "/en/forums/draft-2100/documents/",
    "draft forum roundtable": "/en/forums/draft-2100/roundtables/planned/",
    "draft forum session": "/en/forums/draft-2100/roundtables/planned/planned-session/",
    "draft forum calendar": "/en/forums/draft-2100/calendar.ics",
    "draft forum booklet": "/en/forums/draft-2100/programme.pdf",
    "draft forum roundtable handout": "/en/forums/draft-2100/roundtables/planned/handout.pdf",
}


@pytest.mark.parametrize("url", DRAFT_ADDRESSES.values(), ids=DRAFT_ADDRESSES.keys())
def test_drafts_are_not_found(visitor, lisbon, url):
    response = visitor.get(url)

    assert response.status_code == 404
    assert [template.name for template in response.templates][:1] == ["404.html"]


@pytest.mark.parametrize("document", ["secret_paper", "forum_paper"])
def test_documents_of_drafts_are_not_found(visitor, lisbon, document):
    response = visitor.get(f"/en/documents/{getattr(lisbon, document).pk}/")

    assert response.status_code == 404


# Search, calendars, agenda, PDFs, sitemap ---------------------------------------------------------


def test_search_finds_no_draft(visitor, lisbon):
    response = visitor.get("/en/search/", {"q": "secret"})

    assert {group.kind: group.total for group in response.context["groups"]} == {
        "sessions": 0,
        "issues": 0,
        "roundtables": 0,
        "people": 0,
        "documents": 0,
        "contributions": 0,
        "themes": 0,
        "rooms": 0,
    }


def test_forum_calendar_holds_published_sessions_only(visitor, lisbon):
    response = visitor.get("/en/forums/lisbon-2099/calendar.ics")

    assert _calendar_uids(response) == [f"session-{lisbon.session.pk}@gfmd-portal"]


def test_agenda_calendar_leaves_out_drafts_asked_for(visitor, lisbon):
    ids = f"{lisbon.draft.pk},{lisbon.planned.pk},{lisbon.session.pk}"

    response = visitor.get("/en/agenda/calendar.ics", {"sessions": ids})

    assert _calendar_uids(response) == [f"session-{lisbon.session.pk}@gfmd-portal"]


def test_agenda_page_leaves_out_starred_drafts(visitor, lisbon):
    visitor.cookies["agenda"] = f"{lisbon.draft.pk}-{lisbon.planned.pk}-{lisbon.session.pk}"

    response = visitor.get("/en/agenda/")

    assert response.context["session_count"] == 1
    assert [item["session"] for day in response.context["days"] for item in day["items"]] == [lisbon.session]
    assert "Secret" not in response.content.decode()


@pytest.mark.parametrize("session", ["draft", "planned"])
def test_a_draft_cannot_be_starred(visitor, lisbon, session):
    response = visitor.post("/en/agenda/toggle/", {"session": str(getattr(lisbon, session).pk)})

    assert response.status_code == 404
    assert "agenda" not in response.cookies


def test_roundtable_handout_is_the_public_pdf_without_drafts(visitor, lisbon):
    response = visitor.get("/en/forums/lisbon-2099/roundtables/labour-mobility/handout.pdf")

    text = _pdf_text(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"  # the shared public file, not a private preview
    assert response.has_header("ETag")
    assert "1.1 Decent work" in text
    assert "Secret" not in text


def test_sitemap_lists_no_draft(visitor, lisbon):
    response = visitor.get("/sitemap.xml")

    namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = {
        url.find("sm:loc", namespace).text for url in ET.fromstring(response.content).findall("sm:url", namespace)
    }
    assert [location for location in locations if "secret" in location or "draft-2100" in location] == []
    assert f"http://testserver{DRAFT_URL}" not in locations
    assert f"http://testserver{SESSION_URL}" in locations
