"""A published forum without a published session offers no empty download, and says so."""

import pytest

from programme.services import contributions_load_demo
from roundtables.models import Status
from tests.factories import make_forum, make_roundtable, make_session

DOWNLOADS = {
    "calendar": "calendar.ics",
    "booklet": "programme.pdf",
    "schedule-xml": "schedule.xml",
    "schedule-json": "schedule.json",
    "xlsx": "programme.xlsx",
    "csv": "programme.csv",
}


def forum_url(forum, tail=""):
    return f"/en/forums/{forum.slug}/{tail}"


@pytest.fixture
def empty_forum(db):
    """Published, with an announced roundtable whose only session is still a draft."""
    forum = make_forum(slug="tunis-2099", name="Tunis 2099")
    roundtable = make_roundtable(forum=forum, number=1, slug="labour")
    make_session(roundtable=roundtable, number=1, title="Secret draft", status=Status.DRAFT)
    return forum


@pytest.fixture
def forum_with_programme(db):
    forum = make_forum(slug="rabat-2099", name="Rabat 2099")
    roundtable = make_roundtable(forum=forum, number=1, slug="labour")
    make_session(roundtable=roundtable, number=1, title="Decent work")
    return forum


def offered(html, forum):
    return {name for name, tail in DOWNLOADS.items() if f'href="{forum_url(forum, tail)}"' in html}


def test_a_forum_without_published_sessions_offers_no_download(client, empty_forum):
    html = client.get(forum_url(empty_forum)).content.decode()

    assert offered(html, empty_forum) == set()
    assert 'rel="alternate" type="text/calendar"' not in html
    assert 'rel="alternate" type="application/pdf"' not in html
    assert "Full programme" not in html
    assert '<p class="programme-pending">The programme is not yet published.</p>' in html
    assert "Secret draft" not in html


def test_a_forum_with_a_published_session_offers_every_download(client, forum_with_programme):
    html = client.get(forum_url(forum_with_programme)).content.decode()

    assert offered(html, forum_with_programme) == set(DOWNLOADS)
    assert f'<a class="button" href="{forum_url(forum_with_programme, "programme/")}">Full programme</a>' in html
    assert "programme-pending" not in html


@pytest.mark.parametrize("name", sorted(DOWNLOADS))
def test_the_downloads_of_a_forum_without_published_sessions_answer_404(client, empty_forum, name):
    response = client.get(forum_url(empty_forum, DOWNLOADS[name]))

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("name", ["calendar", "schedule-xml", "schedule-json", "csv"])
def test_the_downloads_of_a_forum_with_a_published_session_answer(client, forum_with_programme, name):
    response = client.get(forum_url(forum_with_programme, DOWNLOADS[name]))

    assert response.status_code == 200
    assert b"Decent work" in response.content


def test_a_forum_whose_sessions_are_not_scheduled_offers_no_calendar(client, db):
    forum = make_forum(slug="dakar-2099")
    roundtable = make_roundtable(forum=forum, number=1, slug="labour")
    make_session(roundtable=roundtable, number=1, title="Time to come", starts_at=None, ends_at=None)

    html = client.get(forum_url(forum)).content.decode()
    calendar = client.get(forum_url(forum, "calendar.ics"))

    assert offered(html, forum) == set(DOWNLOADS) - {"calendar"}
    assert calendar.status_code == 404
    assert client.get(forum_url(forum, "schedule.xml")).status_code == 200  # valid, its days still empty


def test_staff_preview_of_a_draft_session_offers_the_downloads(organiser_client, empty_forum):
    html = organiser_client.get(forum_url(empty_forum)).content.decode()

    assert offered(html, empty_forum) >= {"calendar", "booklet"}
    assert organiser_client.get(forum_url(empty_forum, "calendar.ics")).status_code == 200


def test_the_demo_forum_chisinau_2011_says_its_programme_is_not_yet_published(client, athens):
    forum, _ = contributions_load_demo()

    html = client.get(forum_url(forum)).content.decode()

    assert offered(html, forum) == set()
    assert "The programme is not yet published." in html
    assert client.get(forum_url(forum, "programme.pdf")).status_code == 404
    assert client.get(forum_url(forum, "calendar.ics")).status_code == 404


def test_the_programme_page_of_a_forum_without_published_sessions_offers_no_download(client, empty_forum):
    html = client.get(forum_url(empty_forum, "programme/")).content.decode()

    assert offered(html, empty_forum) == set()
    assert "No session has been published yet." in html
