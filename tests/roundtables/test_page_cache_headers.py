"""Browsers revalidate public pages on every visit: a withdrawn session never lingers in a browser's cache."""

import pytest

from roundtables.models import Status
from tests.factories import make_forum, make_roundtable, make_session

ROUNDTABLE_URL = "/en/forums/porto-2099/roundtables/labour-mobility/"


@pytest.fixture
def porto(db):
    forum = make_forum(slug="porto-2099")
    roundtable = make_roundtable(forum=forum, number=1, slug="labour-mobility")
    make_session(roundtable=roundtable, number=1, title="Decent work", slug="decent-work")
    make_session(roundtable=roundtable, number=2, title="Fair recruitment", slug="fair-recruitment")
    return roundtable


def test_public_pages_ask_browsers_to_revalidate_every_time(client, porto):
    response = client.get(ROUNDTABLE_URL)

    assert response["Cache-Control"] == "public, no-cache"
    assert "max-age" not in response["Cache-Control"]
    assert response["ETag"].startswith('"')


def test_revalidating_an_unchanged_page_costs_a_304_and_the_version_check(client, porto, django_assert_num_queries):
    etag = client.get(ROUNDTABLE_URL)["ETag"]

    with django_assert_num_queries(1):
        response = client.get(ROUNDTABLE_URL, headers={"if-none-match": etag})

    assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag)
    assert response["Cache-Control"] == "public, no-cache"


def test_a_session_taken_back_to_draft_is_gone_at_the_next_revalidation(
    client, porto, django_capture_on_commit_callbacks
):
    before = client.get(ROUNDTABLE_URL)
    session = porto.sessions.get(number=2)

    with django_capture_on_commit_callbacks(execute=True):
        session.status = Status.DRAFT
        session.save()
    after = client.get(ROUNDTABLE_URL, headers={"if-none-match": before["ETag"]})

    assert "Fair recruitment" in before.content.decode()
    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "Fair recruitment" not in after.content.decode()
    assert "Decent work" in after.content.decode()


def test_calendars_are_revalidated_too(client, porto):
    response = client.get("/en/forums/porto-2099/calendar.ics")

    assert (response.status_code, response["Cache-Control"]) == (200, "public, no-cache")
