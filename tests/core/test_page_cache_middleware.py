import sqlite3
import threading
import time

import pytest
from django.http import FileResponse, HttpResponse
from django.test import Client

from core import outage
from core import programme_version as stamps
from core.page_cache_middleware import EarlyPageCacheMiddleware, ReplayPageCacheMiddleware
from core.page_replay import is_replay_candidate, keep_final
from core.programme_version import programme_bump, programme_version
from sessions.pdf import content, store
from tests.factories import make_forum, make_roundtable, make_session, make_user

REPLAY = "core.page_cache_middleware.ReplayPageCacheMiddleware"
EARLY = "core.page_cache_middleware.EarlyPageCacheMiddleware"
SESSION_URL = "/en/forums/lisbon-2099/roundtables/labour-mobility/decent-work/"
BOOKLET_URL = "/en/forums/lisbon-2099/programme.pdf"


@pytest.fixture
def lisbon(db):
    forum = make_forum(slug="lisbon-2099")
    roundtable = make_roundtable(forum=forum, number=1, slug="labour-mobility")
    return make_session(roundtable=roundtable, number=1, title="Decent work", slug="decent-work")


@pytest.fixture
def booklet(lisbon):
    """The forum's booklet on disk for the current version (written here: no layout needed)."""
    export = content.Export(kind=content.BOOKLET, obj=lisbon.roundtable.forum, language="en")
    path = store.path_of(export, programme_version())
    path.parent.mkdir(parents=True)
    path.write_bytes(b"%PDF-1.7 a stored booklet\n%%EOF\n")
    return path


def took_early_path(response):
    """The early middleware answers before the address is resolved, so the request has no resolver match."""
    return response.wsgi_request.resolver_match is None


def was_replayed(response):
    """The replaying middleware answers before all others: the request never got a session attribute."""
    return took_early_path(response) and not hasattr(response.wsgi_request, "session")


def normal_path(settings):
    """Leave both early middlewares out: the view (through the page cache) answers."""
    settings.MIDDLEWARE = [name for name in settings.MIDDLEWARE if name not in {REPLAY, EARLY}]


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_cached_page_is_answered_early_with_the_normal_paths_headers_and_body(lisbon, settings):
    Client().get(SESSION_URL)  # made and stored by the view
    early = Client().get(SESSION_URL, headers={"cookie": "theme=dark"})  # a cookie: not replayed
    normal_path(settings)

    normal = Client().get(SESSION_URL)

    assert (took_early_path(early), was_replayed(early), took_early_path(normal)) == (True, False, False)
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
    writer.execute("CREATE TABLE stamp (id INTEGER PRIMARY KEY, version INTEGER, changed_at TEXT)")
    writer.execute("INSERT INTO stamp VALUES (1, 7, '2009-11-02 09:00:00')")
    reader = stamps._StampFileReader(str(path), "stamp")
    before = reader.stamp()

    writer.execute("UPDATE stamp SET version = 8, changed_at = '2009-11-02 09:05:00' WHERE id = 1")

    assert (before, reader.stamp()) == ((7, "2009-11-02 09:00:00"), (8, "2009-11-02 09:05:00"))


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


# Replayed answers: the response as it first went out, before any other middleware ------------------


def warmed(url, **headers):
    """Two anonymous visits: the view stores the answer, kept as it goes out, and the second is replayed."""
    responses = [Client().get(url, headers=headers) for _ in range(2)]
    assert [was_replayed(response) for response in responses] == [False, True]
    return responses[-1]


@pytest.mark.parametrize("url", [SESSION_URL, BOOKLET_URL], ids=["page", "pdf"])
def test_a_replayed_answer_has_the_normal_paths_headers_and_body_byte_for_byte(lisbon, booklet, settings, url):
    replayed = warmed(url)
    normal_path(settings)

    normal = Client().get(url)

    assert not took_early_path(normal)
    assert replayed.status_code == normal.status_code == 200
    assert body(replayed) == body(normal)
    assert list(replayed.headers.items()) == list(normal.headers.items())


def test_a_replayed_pdf_is_sent_as_its_stored_file(lisbon, booklet):
    response = warmed(BOOKLET_URL)

    assert (isinstance(response, FileResponse), body(response)) == (True, booklet.read_bytes())
    assert (response["Content-Type"], response["Content-Length"]) == ("application/pdf", str(booklet.stat().st_size))
    assert response["Content-Disposition"] == 'inline; filename="lisbon-2099-programme-en.pdf"'


def conditional_visits(url, etag):
    """The same If-None-Match twice: the first 304 goes out through the stack and is kept, the second is replayed."""
    return [Client().get(url, headers={"if-none-match": etag}) for _ in range(2)]


@pytest.mark.parametrize("url", [SESSION_URL, BOOKLET_URL], ids=["page", "pdf"])
def test_a_known_etag_gets_a_replayed_304_with_the_normal_paths_headers(lisbon, booklet, settings, url):
    etag = warmed(url)["ETag"]
    first, replayed = conditional_visits(url, etag)
    normal_path(settings)

    normal = Client().get(url, headers={"if-none-match": etag})

    assert [was_replayed(first), was_replayed(replayed), took_early_path(normal)] == [False, True, False]
    assert replayed.status_code == normal.status_code == 304
    assert (replayed.content, replayed["ETag"]) == (b"", etag)
    assert list(replayed.headers.items()) == list(normal.headers.items())


def test_an_outdated_etag_gets_the_replayed_page(lisbon):
    page = warmed(SESSION_URL)

    response = Client().get(SESSION_URL, headers={"if-none-match": '"an-older-page"'})

    assert was_replayed(response)
    assert (response.status_code, response.content, response["ETag"]) == (200, page.content, page["ETag"])


@pytest.mark.parametrize("url", [SESSION_URL, BOOKLET_URL], ids=["page", "pdf"])
def test_a_head_request_is_replayed_with_the_headers_of_a_normal_head(lisbon, booklet, settings, url):
    warmed(url)
    replayed = Client().head(url)
    normal_path(settings)

    normal = Client().head(url)

    assert (was_replayed(replayed), took_early_path(normal)) == (True, False)
    assert (replayed.status_code, body(replayed)) == (200, b"")
    assert list(replayed.headers.items()) == list(normal.headers.items())


def test_a_signed_in_staff_member_never_gets_the_replayed_answer(client, lisbon):
    warmed(SESSION_URL)
    client.force_login(make_user(is_staff=True))

    response = client.get(SESSION_URL)

    assert (was_replayed(response), took_early_path(response)) == (False, False)
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_a_staff_members_answer_is_never_kept_for_replay(lisbon):
    staff = Client()
    staff.force_login(make_user(is_staff=True))
    staff.get(SESSION_URL)
    staff.get(SESSION_URL)

    first_visitor = Client().get(SESSION_URL)

    assert not took_early_path(first_visitor)  # nothing was stored by the staff member's visits
    assert first_visitor["Cache-Control"] == "public, no-cache"


def test_a_committed_change_is_not_replayed_over_at_the_next_request(lisbon, django_capture_on_commit_callbacks):
    warmed(SESSION_URL)

    with django_capture_on_commit_callbacks(execute=True):
        lisbon.title = "Decent work for all"
        lisbon.save()
    response = Client().get(SESSION_URL)

    assert not took_early_path(response)
    assert "Decent work for all" in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_a_bump_committed_by_another_connection_is_seen_at_the_next_request(lisbon):
    """As another process would: a bump committed through another connection (a thread has its own)."""
    warmed(SESSION_URL)
    bumper = threading.Thread(target=programme_bump)

    bumper.start()
    bumper.join()
    response = Client().get(SESSION_URL)

    assert not took_early_path(response)


def test_a_replayed_hit_costs_only_the_version_query(lisbon, django_assert_num_queries):
    warmed(SESSION_URL)

    with django_assert_num_queries(1) as captured:
        response = Client().get(SESSION_URL)

    assert was_replayed(response)
    assert "roundtables_programmestamp" in captured.captured_queries[0]["sql"]


def test_a_visitor_with_stars_is_not_replayed_the_shared_page(lisbon):
    warmed(SESSION_URL)

    response = Client().get(SESSION_URL, headers={"cookie": f"agenda={lisbon.pk}"})

    assert (was_replayed(response), took_early_path(response)) == (False, True)
    assert "Remove from my agenda" in response.content.decode()


def test_the_language_is_found_as_the_language_middleware_finds_it(lisbon):
    english = warmed("/sitemap.xml")

    french = Client().get("/sitemap.xml", headers={"accept-language": "fr"})
    by_cookie = Client().get("/sitemap.xml", headers={"cookie": "django_language=fr"})

    assert english["Content-Language"] == "en"
    assert [was_replayed(french), french["Content-Language"]] == [False, "fr"]
    assert [was_replayed(by_cookie), by_cookie["Content-Language"]] == [True, "fr"]


def test_junk_query_parameters_are_not_replayed(lisbon):
    warmed(SESSION_URL)

    response = Client().get(SESSION_URL, {"x": "1"})

    assert not was_replayed(response)
    assert response.status_code == 200


def test_static_files_never_look_in_the_page_cache(rf):
    assert (is_replay_candidate(rf.get("/static/css/site.css")), is_replay_candidate(rf.get(SESSION_URL))) == (
        False,
        True,
    )


def test_a_failing_replay_falls_back_to_the_normal_path(rf, lisbon, monkeypatch):
    def broken(request):
        raise RuntimeError("cache down")

    monkeypatch.setattr("core.page_cache_middleware.replayed_response", broken)
    middleware = ReplayPageCacheMiddleware(lambda request: "the normal answer")

    assert middleware(rf.get(SESSION_URL)) == "the normal answer"


def test_the_replaying_middleware_stands_first(settings):
    assert settings.MIDDLEWARE[0] == REPLAY


@pytest.mark.parametrize(
    ("body", "kept"),
    [(b"the shared page", True), (b"the shared page, marked for one visitor", False)],
    ids=["unchanged", "changed"],
)
def test_only_an_answer_leaving_with_the_entrys_own_body_is_kept_for_replay(rf, db, body, kept):
    request = rf.get(SESSION_URL)
    entry = {"content": b"the shared page", "headers": {}, "expires": time.time() + 60}
    request._page_cache_entry = ("page:v1:en:address", entry, None)

    keep_final(request, HttpResponse(body))

    assert ("final" in entry) == kept


def test_a_plain_http_request_the_security_middleware_redirects_is_never_replayed(rf, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert (is_replay_candidate(rf.get(SESSION_URL)), is_replay_candidate(rf.get(SESSION_URL, secure=True))) == (
        False,
        True,
    )


def test_a_host_not_allowed_gets_the_normal_paths_400_without_an_outage_logged(lisbon, caplog, monkeypatch):
    monkeypatch.setattr(outage, "_last_logged", {})  # no earlier test's outage holds this one's log back
    warmed(SESSION_URL)

    response = Client().get(SESSION_URL, headers={"host": "elsewhere.example"})

    assert response.status_code == 400
    assert [record for record in caplog.records if record.name == "core.page_cache_middleware"] == []
