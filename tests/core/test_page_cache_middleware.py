import sqlite3

import pytest
from django.test import Client

from core import programme_version as stamps
from core.page_cache_middleware import EarlyPageCacheMiddleware
from core.programme_version import programme_bump
from tests.factories import make_forum, make_roundtable, make_session, make_user

EARLY = "core.page_cache_middleware.EarlyPageCacheMiddleware"
SESSION_URL = "/en/forums/lisbon-2099/roundtables/labour-mobility/decent-work/"


@pytest.fixture
def lisbon(db):
    forum = make_forum(slug="lisbon-2099")
    roundtable = make_roundtable(forum=forum, number=1, slug="labour-mobility")
    return make_session(roundtable=roundtable, number=1, title="Decent work", slug="decent-work")


def took_early_path(response):
    """The early middleware answers before the address is resolved, so the request has no resolver match."""
    return response.wsgi_request.resolver_match is None


def test_a_cached_page_is_answered_early_with_the_normal_paths_headers_and_body(lisbon, settings):
    Client().get(SESSION_URL)  # made and stored by the view
    early = Client().get(SESSION_URL)
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name != EARLY]

    normal = Client().get(SESSION_URL)

    assert (took_early_path(early), took_early_path(normal)) == (True, False)
    assert early.status_code == normal.status_code == 200
    assert early.content == normal.content
    assert list(early.headers.items()) == list(normal.headers.items())
    assert sorted(early.headers) == [
        "Cache-Control",
        "Content-Language",
        "Content-Length",
        "Content-Security-Policy",
        "Content-Type",
        "Cross-Origin-Opener-Policy",
        "ETag",
        "Referrer-Policy",
        "Vary",
        "X-Content-Type-Options",
        "X-Frame-Options",
    ]


def test_a_cached_hit_on_the_early_path_costs_only_the_version_query(client, lisbon, django_assert_num_queries):
    client.get(SESSION_URL)

    with django_assert_num_queries(1) as captured:
        response = client.get(SESSION_URL)

    assert took_early_path(response)
    assert "roundtables_programmestamp" in captured.captured_queries[0]["sql"]


def test_a_known_etag_gets_304_on_the_early_path(client, lisbon):
    etag = client.get(SESSION_URL)["ETag"]

    response = client.get(SESSION_URL, headers={"if-none-match": etag})

    assert took_early_path(response)
    assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag)


def test_a_signed_in_staff_member_never_gets_the_early_path(client, lisbon):
    client.get(SESSION_URL)  # stored for anonymous visitors
    client.force_login(make_user(is_staff=True))

    response = client.get(SESSION_URL)

    assert not took_early_path(response)
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_a_committed_change_shows_at_the_next_request(client, lisbon, django_capture_on_commit_callbacks):
    client.get(SESSION_URL)
    assert took_early_path(client.get(SESSION_URL))

    with django_capture_on_commit_callbacks(execute=True):
        lisbon.title = "Decent work for all"
        lisbon.save()
    response = client.get(SESSION_URL)

    assert not took_early_path(response)  # no entry for the new version yet: the view makes the page
    assert "Decent work for all" in response.content.decode()


def test_a_visitors_stars_still_show_on_the_early_path(client, lisbon):
    client.get(SESSION_URL)
    client.cookies["agenda"] = str(lisbon.pk)

    response = client.get(SESSION_URL)

    assert took_early_path(response)
    assert "Remove from my agenda" in response.content.decode()
    assert response["Cache-Control"] == "private, no-cache"


def test_junk_query_parameters_take_the_normal_path(client, lisbon):
    client.get(SESSION_URL)

    response = client.get(SESSION_URL, {"x": "1"})

    assert not took_early_path(response)
    assert response.status_code == 200


def test_the_early_path_is_off_with_the_page_cache(client, lisbon, settings):
    settings.PAGE_CACHE = False
    client.get(SESSION_URL)

    response = client.get(SESSION_URL)

    assert not took_early_path(response)


def test_a_failing_early_path_falls_back_to_the_view(rf, lisbon, monkeypatch):
    def broken(request):
        raise RuntimeError("cache down")

    monkeypatch.setattr("core.page_cache_middleware.early_response", broken)
    middleware = EarlyPageCacheMiddleware(lambda request: "the view's answer")

    assert middleware(rf.get(SESSION_URL)) == "the view's answer"


def test_the_version_read_from_an_sqlite_file_sees_another_connections_commit(tmp_path):
    path = tmp_path / "portal.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("CREATE TABLE stamp (id INTEGER PRIMARY KEY, version INTEGER)")
    writer.execute("INSERT INTO stamp VALUES (1, 7)")
    reader = stamps._StampFileReader(str(path), "stamp")
    before = reader.version()

    writer.execute("UPDATE stamp SET version = 8 WHERE id = 1")

    assert (before, reader.version()) == (7, 8)


def test_the_version_reader_never_creates_a_missing_file(tmp_path):
    with pytest.raises(sqlite3.OperationalError):
        stamps._StampFileReader(str(tmp_path / "none.sqlite3"), "stamp")

    assert list(tmp_path.iterdir()) == []


def stamp_reads(captured):
    return sum("roundtables_programmestamp" in query["sql"] for query in captured.captured_queries)


def test_a_first_request_reads_the_programme_version_once(client, lisbon, django_assert_max_num_queries):
    with django_assert_max_num_queries(50) as captured:
        response = client.get(SESSION_URL)

    assert not took_early_path(response)
    assert stamp_reads(captured) == 1


def test_a_stale_note_reads_the_programme_version_once(client, lisbon, django_assert_max_num_queries):
    client.get(SESSION_URL)
    lisbon.title = "Decent work for all"
    lisbon.save()
    programme_bump()

    with django_assert_max_num_queries(50) as captured:
        response = client.get(SESSION_URL)

    assert not took_early_path(response)
    assert stamp_reads(captured) == 1
    assert "Decent work for all" in response.content.decode()
