import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.utils import translation

from core.page_cache import cache_public_page, page_cache_key
from core.versions import edit_token
from roundtables.models import Status
from tests.factories import make_forum, make_roundtable, make_session, make_theme

ROUNDTABLE_URL = "/en/forums/lisbon-2099/roundtables/labour-mobility/"


@pytest.fixture
def lisbon(db):
    forum = make_forum(slug="lisbon-2099")
    roundtable = make_roundtable(forum=forum, number=1, slug="labour-mobility")
    make_session(roundtable=roundtable, number=1, title="Decent work", slug="decent-work")
    make_session(roundtable=roundtable, number=2, title="Secret plans", slug="secret-plans", status=Status.DRAFT)
    return roundtable


def test_second_request_is_served_from_the_cache_with_only_the_version_check(client, lisbon, django_assert_num_queries):
    first = client.get(ROUNDTABLE_URL)

    with django_assert_num_queries(1) as captured:
        second = client.get(ROUNDTABLE_URL)

    assert "roundtables_programmestamp" in captured.captured_queries[0]["sql"]
    assert second.status_code == 200
    assert second.content == first.content
    assert "Decent work" in second.content.decode()


def test_public_pages_are_sent_cacheable_with_an_etag(client, lisbon):
    first = client.get(ROUNDTABLE_URL)
    second = client.get(ROUNDTABLE_URL)

    assert first["Cache-Control"] == second["Cache-Control"] == "public, no-cache"
    assert first["ETag"] == second["ETag"]
    assert first["ETag"].startswith('"')
    assert "Cookie" in second["Vary"]
    assert second["Content-Type"] == "text/html; charset=utf-8"
    assert second["Content-Language"] == "en"
    assert second["X-Frame-Options"] == "DENY"


def test_a_known_etag_gets_304_not_modified(client, lisbon, django_assert_num_queries):
    etag = client.get(ROUNDTABLE_URL)["ETag"]

    with django_assert_num_queries(1):
        response = client.get(ROUNDTABLE_URL, headers={"if-none-match": etag})

    assert (response.status_code, response.content, response["ETag"]) == (304, b"", etag)


def test_a_saved_change_shows_on_the_next_request(client, lisbon, django_capture_on_commit_callbacks):
    client.get(ROUNDTABLE_URL)
    session = lisbon.sessions.get(number=1)

    with django_capture_on_commit_callbacks(execute=True):
        session.title = "Decent work for all"
        session.save()
    response = client.get(ROUNDTABLE_URL)

    assert "Decent work for all" in response.content.decode()


def test_an_edit_in_the_admin_shows_on_the_next_public_request(
    organiser_client, db, django_capture_on_commit_callbacks
):
    theme = make_theme(name="Gender", slug="gender")
    public = Client()
    before = public.get("/en/themes/gender/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        edit = organiser_client.post(
            f"/admin/roundtables/theme/{theme.pk}/change/",
            {"name_en": "Gender equality", "slug": "gender", "description_en": "", "edit_token": edit_token(theme)},
        )
    after = public.get("/en/themes/gender/").content.decode()

    assert edit.status_code == 302
    assert ("<h1>Gender</h1>" in before, "<h1>Gender equality</h1>" in after) == (True, True)


def test_staff_see_drafts_and_never_the_cached_public_copy(organiser_client, lisbon):
    public = Client()
    public_html = public.get(ROUNDTABLE_URL).content.decode()

    staff = organiser_client.get(ROUNDTABLE_URL)

    assert "Secret plans" not in public_html
    assert "Secret plans" in staff.content.decode()
    assert staff["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_staff_pages_never_fill_the_cache(organiser_client, lisbon, django_assert_num_queries):
    organiser_client.get(ROUNDTABLE_URL)
    public = Client()

    with django_assert_num_queries(7):  # the whole page: nothing was stored for the public
        response = public.get(ROUNDTABLE_URL)

    assert "Decent work" in response.content.decode()
    assert "Secret plans" not in response.content.decode()


def test_publishing_a_draft_shows_it_in_the_next_public_page(client, lisbon, django_capture_on_commit_callbacks):
    draft = lisbon.sessions.get(number=2)
    before = client.get(ROUNDTABLE_URL).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        draft.status = Status.PUBLISHED
        draft.save()
    after = client.get(ROUNDTABLE_URL).content.decode()

    assert ("Secret plans" in before, "Secret plans" in after) == (False, True)


def test_each_language_is_cached_apart(client, lisbon):
    english = client.get(ROUNDTABLE_URL)
    french = client.get("/fr/forums/lisbon-2099/roundtables/labour-mobility/")
    french_again = client.get("/fr/forums/lisbon-2099/roundtables/labour-mobility/")

    assert '<html lang="en">' in english.content.decode()
    assert '<html lang="fr">' in french_again.content.decode()
    assert french_again.content == french.content


def test_not_found_pages_are_not_cached(client, lisbon, django_assert_num_queries):
    client.get("/en/themes/gender/")

    with django_assert_num_queries(2):  # the version check, then the theme is looked for again
        response = client.get("/en/themes/gender/")

    assert response.status_code == 404


def test_head_requests_are_served_from_the_cache(client, lisbon, django_assert_num_queries):
    client.get(ROUNDTABLE_URL)

    with django_assert_num_queries(1):
        response = client.head(ROUNDTABLE_URL)

    assert (response.status_code, response.content) == (200, b"")


def test_the_sitemap_is_cached_too(client, lisbon, django_assert_num_queries):
    first = client.get("/sitemap.xml")

    with django_assert_num_queries(1):
        second = client.get("/sitemap.xml")

    assert second.content == first.content
    assert second["Content-Type"] == "application/xml"
    assert second["X-Robots-Tag"] == "noindex, noodp, noarchive"


def test_the_cache_key_is_made_of_address_declared_parameters_language_and_programme_version(db, settings):
    settings.ALLOWED_HOSTS = ["testserver", "other.example.org"]
    get = RequestFactory().get
    request = get("/fr/themes/?page=2")

    with translation.override("fr"):
        key = page_cache_key(request, version=7, params=["page"])
        same = {
            key,
            page_cache_key(get("/fr/themes/?x=1&page=2"), version=7, params=["page"]),
            page_cache_key(get("/fr/themes/?page=2&utm_source=newsletter"), version=7, params=["page"]),
        }
        different = {
            key,
            page_cache_key(request, version=8, params=["page"]),
            page_cache_key(get("/fr/themes/"), version=7, params=["page"]),
            page_cache_key(get("/fr/themes/?page=3"), version=7, params=["page"]),
            page_cache_key(get("/fr/themes/?page=2", HTTP_HOST="other.example.org"), version=7, params=["page"]),
        }
        undeclared = {page_cache_key(get(f"/fr/themes/?page={n}"), version=7) for n in range(5)}
    with translation.override("es"):
        different.add(page_cache_key(request, version=7, params=["page"]))

    assert key.startswith("page:v7:fr:")
    assert (len(same), len(different), len(undeclared)) == (1, 6, 1)


@pytest.fixture
def stored(monkeypatch):
    """The keys and timeouts of what the page cache stores, in order."""
    from django.core.cache import cache

    calls = []
    real_set = cache.set

    def spy(key, value, timeout=None, **kwargs):
        if key.startswith("page:"):  # the entries, not the early path's notes of their version
            calls.append((key, timeout))
        return real_set(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    return calls


def _locmem_page_keys():
    from django.core.cache import cache

    return [key for key in cache._cache if ":page:" in key]


def test_junk_query_parameters_share_the_clean_address_entry(client, lisbon, stored):
    programme = "/en/forums/lisbon-2099/programme/"
    clean = client.get(programme)

    responses = [client.get(programme, {"x": n}) for n in range(1, 301)]

    assert {response.content for response in responses} == {clean.content}
    assert b"x=1" not in responses[0].content  # links on the page are the clean address's
    assert [timeout for _key, timeout in stored] == [settings.PAGE_CACHE_TIMEOUT]
    assert len(_locmem_page_keys()) == 1


def test_a_view_sees_only_the_parameters_it_declared(db):
    seen = []

    def view(request):
        seen.append((request.GET.dict(), request.get_full_path()))
        return HttpResponse(f"page {request.GET.get('page', 1)}")

    cached_view = cache_public_page(view, params=("page",))
    requests = [
        RequestFactory().get(path) for path in ["/en/list/?page=2&x=1", "/en/list/?x=2&page=2", "/en/list/?page=3"]
    ]
    for request in requests:
        request.user = AnonymousUser()

    contents = [cached_view(request).content for request in requests]

    assert contents == [b"page 2", b"page 2", b"page 3"]
    assert seen == [({"page": "2"}, "/en/list/?page=2"), ({"page": "3"}, "/en/list/?page=3")]


def test_a_page_larger_than_the_entry_bound_is_served_but_not_stored(client, lisbon, settings, stored):
    settings.PAGE_CACHE_MAX_ENTRY_BYTES = 1000

    first = client.get(ROUNDTABLE_URL)
    second = client.get(ROUNDTABLE_URL)

    assert (first.status_code, second.status_code) == (200, 200)
    assert len(first.content) > 1000
    assert second.content == first.content
    assert stored == []


def test_entries_are_kept_an_hour_at_most(client, lisbon, stored):
    client.get(ROUNDTABLE_URL)

    assert [timeout for _key, timeout in stored] == [3600]
    assert settings.PAGE_CACHE_TIMEOUT == 3600


FORUM_CALENDAR_URL = "/en/forums/lisbon-2099/calendar.ics"
SESSION_CALENDAR_URL = "/en/forums/lisbon-2099/roundtables/labour-mobility/decent-work/calendar.ics"


@pytest.mark.parametrize("url", [FORUM_CALENDAR_URL, SESSION_CALENDAR_URL], ids=["forum", "session"])
def test_a_calendar_is_served_from_the_cache_with_its_headers(client, lisbon, django_assert_num_queries, url):
    first = client.get(url)

    with django_assert_num_queries(1):
        second = client.get(url, {"x": "junk"})

    assert second.content == first.content
    assert b"BEGIN:VEVENT" in second.content
    assert second["Content-Type"] == first["Content-Type"] == "text/calendar; charset=utf-8"
    assert second["Content-Disposition"] == first["Content-Disposition"]
    assert second["Content-Disposition"].startswith('attachment; filename="lisbon-2099')
    assert second["Cache-Control"] == "public, no-cache"


def test_a_forum_calendar_shows_an_edit_on_the_next_request(client, lisbon, django_capture_on_commit_callbacks):
    client.get(FORUM_CALENDAR_URL)

    with django_capture_on_commit_callbacks(execute=True):
        session = lisbon.sessions.get(number=1)
        session.title = "Decent work for all"
        session.save()
    response = client.get(FORUM_CALENDAR_URL)

    assert b"SUMMARY;LANGUAGE=en:1.1 Decent work for all" in response.content


def test_the_agenda_calendar_is_cached_by_its_list_of_sessions(client, lisbon, django_assert_num_queries):
    first, second = lisbon.sessions.order_by("number")
    second.status = Status.PUBLISHED
    second.save()
    url = "/en/agenda/calendar.ics"
    one = client.get(url, {"sessions": str(first.pk)})

    with django_assert_num_queries(1):
        one_again = client.get(url, {"sessions": str(first.pk), "x": "junk"})
    both = client.get(url, {"sessions": f"{first.pk},{second.pk}"})

    assert one_again.content == one.content
    assert (one.content.count(b"BEGIN:VEVENT"), both.content.count(b"BEGIN:VEVENT")) == (1, 2)
    assert one_again["Content-Disposition"] == 'attachment; filename="my-agenda.ics"'


def test_a_page_that_embeds_a_csrf_token_is_never_stored(db, django_assert_num_queries):
    calls = []

    def view(request):
        calls.append(get_token(request))
        return HttpResponse("<form>token</form>")

    cached_view = cache_public_page(view)
    requests = [RequestFactory().get("/en/form/"), RequestFactory().get("/en/form/")]
    for request in requests:
        request.user = AnonymousUser()

    responses = [cached_view(request) for request in requests]

    assert len(calls) == 2
    assert [response.has_header("Cache-Control") for response in responses] == [False, False]


def test_page_cache_switched_off_makes_every_page_anew(client, lisbon, settings, django_assert_num_queries):
    settings.PAGE_CACHE = False
    first = client.get(ROUNDTABLE_URL)

    with django_assert_num_queries(6):  # the roundtable page's own queries, no version check
        second = client.get(ROUNDTABLE_URL)

    assert second.content == first.content
    assert "Cache-Control" not in second
