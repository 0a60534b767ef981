import datetime
from types import SimpleNamespace

import pytest
from django.test import RequestFactory
from django.urls import get_resolver, path, reverse
from django.utils import translation

from gfmd_portal import urls as site_urls
from roundtables.models import Status
from sessions.models import Document, Participation
from tests.factories import (
    forum_time,
    make_document,
    make_forum,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_programme,
    make_room,
    make_roundtable,
    make_session,
    make_theme,
)

DRAFT_BANNER = "Preview: this forum is a draft, visible to staff only."
NOT_FOUND = "There is no page at this address."


@pytest.fixture
def lisbon(db):
    """A small published forum with one published and one draft session."""
    forum = make_forum(
        name="Civil Society Days, Lisbon 2099",
        slug="lisbon-2099",
        city="Lisbon",
        country="Portugal",
        starts_on=datetime.date(2099, 5, 4),
        ends_on=datetime.date(2099, 5, 5),
        time_zone="Europe/Lisbon",
        description="The **Lisbon** days.",
    )
    theme = make_theme(name="Gender", slug="gender", description="Women and men who migrate.")
    make_theme(name="Youth", slug="youth")
    room = make_room(forum=forum, name="Room A", position=1)
    roundtable = make_roundtable(
        forum=forum, number=1, title="Labour mobility", slug="labour-mobility", background="Work *abroad*."
    )
    session = make_session(
        roundtable=roundtable,
        number=1,
        title="Decent work",
        slug="decent-work",
        room=room,
        themes=[theme],
        starts_at=forum_time(forum, 0, 9),
        ends_at=forum_time(forum, 0, 10, 30),
    )
    draft = make_session(
        roundtable=roundtable, number=2, title="Secret plans", slug="secret-plans", status=Status.DRAFT, themes=[theme]
    )
    chair = make_person(name="Amina Okafor", slug="amina-okafor", organisation=make_organisation(name="Caritas"))
    make_participation(session=session, person=chair, role=Participation.Role.CHAIR)
    make_issue(parent=make_issue(session=session, text="Fair recruitment"), text="Zero fees")
    concept = make_document(forum=forum, title="Concept note", kind=Document.Kind.CONCEPT_NOTE)
    paper = make_document(session=session, title="Work paper")
    secret_paper = make_document(session=draft, title="Secret paper")
    return SimpleNamespace(
        forum=forum,
        theme=theme,
        roundtable=roundtable,
        session=session,
        draft=draft,
        chair=chair,
        concept=concept,
        paper=paper,
        secret_paper=secret_paper,
    )


@pytest.fixture
def draft_forum(db):
    forum = make_forum(name="Civil Society Days, Draft 2100", slug="draft-2100", status=Status.DRAFT)
    roundtable = make_roundtable(forum=forum, number=1, title="Planned roundtable", slug="planned")
    make_session(roundtable=roundtable, number=1, title="Planned session", slug="planned-session")
    return forum


def _templates(response):
    return [template.name for template in response.templates]


# Home


def test_home_redirects_to_the_latest_published_forum(client, db):
    make_forum(slug="older", starts_on=datetime.date(2009, 11, 2), ends_on=datetime.date(2009, 11, 3))
    make_forum(slug="latest", starts_on=datetime.date(2010, 11, 8), ends_on=datetime.date(2010, 11, 9))
    make_forum(
        slug="planned", status=Status.DRAFT, starts_on=datetime.date(2011, 12, 1), ends_on=datetime.date(2011, 12, 2)
    )

    response = client.get("/en/")

    assert (response.status_code, response["Location"]) == (302, "/en/forums/latest/")


def test_home_prefers_the_latest_forum_with_a_roundtable_programme(client, db):
    programme = make_forum(slug="athens", starts_on=datetime.date(2009, 11, 2), ends_on=datetime.date(2009, 11, 3))
    make_roundtable(forum=programme)
    make_forum(slug="meeting", starts_on=datetime.date(2011, 10, 12), ends_on=datetime.date(2011, 10, 13))

    response = client.get("/en/")

    assert (response.status_code, response["Location"]) == (302, "/en/forums/athens/")


def test_home_leads_staff_to_the_latest_forum_even_a_draft(organiser_client, db):
    make_forum(slug="latest", starts_on=datetime.date(2010, 11, 8), ends_on=datetime.date(2010, 11, 9))
    make_forum(
        slug="planned", status=Status.DRAFT, starts_on=datetime.date(2011, 12, 1), ends_on=datetime.date(2011, 12, 2)
    )

    response = organiser_client.get("/fr/")

    assert (response.status_code, response["Location"]) == (302, "/fr/forums/planned/")


def test_home_without_a_published_forum_leads_to_the_forum_list(client, draft_forum):
    response = client.get("/en/")

    assert (response.status_code, response["Location"]) == (302, "/en/forums/")


# Forum list


def test_forum_list_shows_published_forums_only(client, lisbon, draft_forum):
    response = client.get("/en/forums/")

    html = response.content.decode()
    assert list(response.context["forums"]) == [lisbon.forum]
    assert '<h2><a href="/en/forums/lisbon-2099/">Civil Society Days, Lisbon 2099</a></h2>' in html
    assert "Draft 2100" not in html


def test_forum_list_shows_drafts_to_staff_marked_as_drafts(organiser_client, lisbon, draft_forum):
    response = organiser_client.get("/en/forums/")

    assert list(response.context["forums"]) == [lisbon.forum, draft_forum]
    assert response.content.decode().count('<span class="badge">Draft</span>') == 1


# Forum page


def test_forum_page_shows_the_forum_its_roundtables_and_key_documents(client, lisbon):
    response = client.get("/en/forums/lisbon-2099/")

    html = response.content.decode()
    assert response.context["forum"] == lisbon.forum
    assert "<h1>Civil Society Days, Lisbon 2099</h1>" in html
    assert '<p class="lead">4–5 May 2099 · Lisbon, Portugal</p>' in html
    assert '<div class="prose"><p>The <strong>Lisbon</strong> days.</p></div>' in html
    assert (
        '<h3><a href="/en/forums/lisbon-2099/roundtables/labour-mobility/">Roundtable 1: Labour mobility</a></h3>\n'
        '      <p class="meta">1 session</p>'
    ) in html
    assert list(response.context["documents"]) == [lisbon.concept]
    assert DRAFT_BANNER not in html


def test_forum_page_counts_draft_sessions_for_staff(organiser_client, lisbon):
    response = organiser_client.get("/en/forums/lisbon-2099/")

    assert '<p class="meta">2 sessions</p>' in response.content.decode()


# Programme


def test_programme_shows_published_sessions_by_day_and_slot(client, lisbon):
    response = client.get("/en/forums/lisbon-2099/programme/")

    html = response.content.decode()
    days = response.context["days"]
    assert [(day["date"], [slot["sessions"] for slot in day["slots"]]) for day in days] == [
        (datetime.date(2099, 5, 4), [[lisbon.session]])
    ]
    assert response.context["session_count"] == 1
    assert "All times are local time (Europe/Lisbon). 1 session" in html
    assert (
        '<a href="/en/forums/lisbon-2099/roundtables/labour-mobility/decent-work/"><span class="code">1.1</span> '
        "Decent work</a>"
    ) in html
    assert "<span>Amina Okafor <small>(Chair)</small></span>" in html
    assert "Secret plans" not in html


def test_programme_shows_draft_sessions_to_staff_marked_as_drafts(organiser_client, lisbon):
    response = organiser_client.get("/en/forums/lisbon-2099/programme/")

    html = response.content.decode()
    assert response.context["session_count"] == 2
    assert "Secret plans" in html
    assert html.count('<span class="badge">Draft</span>') == 1


# Documents


def test_documents_page_lists_documents_leaving_out_those_of_draft_sessions(client, lisbon):
    response = client.get("/en/forums/lisbon-2099/documents/")

    html = response.content.decode()
    assert list(response.context["documents"]) == [lisbon.concept, lisbon.paper]
    assert f'<a href="/en/documents/{lisbon.paper.pk}/en/" hreflang="en" type="application/pdf">Work paper</a>' in html
    assert (
        '<span class="meta"><a href="/en/forums/lisbon-2099/roundtables/labour-mobility/decent-work/">Session 1.1</a>'
        "</span>"
    ) in html
    assert "Secret paper" not in html


def test_documents_page_shows_staff_the_documents_of_draft_sessions(organiser_client, lisbon):
    response = organiser_client.get("/en/forums/lisbon-2099/documents/")

    assert list(response.context["documents"]) == [lisbon.concept, lisbon.secret_paper, lisbon.paper]


# Roundtable


def test_roundtable_page_shows_background_published_sessions_and_documents(client, lisbon):
    roundtable_document = make_document(roundtable=lisbon.roundtable, title="Roundtable paper")

    response = client.get("/en/forums/lisbon-2099/roundtables/labour-mobility/")

    html = response.content.decode()
    assert response.context["sessions"] == [lisbon.session]
    assert "<h1><small>Roundtable 1</small> Labour mobility</h1>" in html
    assert '<div class="prose"><p>Work <em>abroad</em>.</p></div>' in html
    assert (
        f'<li><a href="/en/documents/{roundtable_document.pk}/en/" hreflang="en" type="application/pdf">'
        "Roundtable paper</a>"
    ) in html
    assert "Secret plans" not in html


def test_roundtable_page_shows_draft_sessions_to_staff(organiser_client, lisbon):
    response = organiser_client.get("/en/forums/lisbon-2099/roundtables/labour-mobility/")

    assert response.context["sessions"] == [lisbon.session, lisbon.draft]
    assert response.content.decode().count('<span class="badge">Draft</span>') == 1


# Themes


def test_theme_list_counts_published_sessions(client, lisbon):
    response = client.get("/en/themes/")

    html = response.content.decode()
    assert [(theme.name, theme.session_total) for theme in response.context["themes"]] == [("Gender", 1), ("Youth", 0)]
    assert '<h2><a href="/en/themes/gender/">Gender</a></h2>' in html
    assert '<p class="meta">1 session</p>' in html


def test_theme_list_counts_draft_sessions_for_staff(organiser_client, lisbon):
    response = organiser_client.get("/en/themes/")

    assert [theme.session_total for theme in response.context["themes"]] == [2, 0]


def test_theme_page_lists_its_published_sessions(client, lisbon):
    response = client.get("/en/themes/gender/")

    html = response.content.decode()
    assert list(response.context["sessions"]) == [lisbon.session]
    assert "<h1>Gender</h1>" in html
    assert '<p class="lead">Women and men who migrate.</p>' in html
    assert "<span>Civil Society Days, Lisbon 2099</span>" in html
    assert "Secret plans" not in html


def test_theme_page_shows_draft_sessions_to_staff(organiser_client, lisbon):
    response = organiser_client.get("/en/themes/gender/")

    assert list(response.context["sessions"]) == [lisbon.session, lisbon.draft]


# Drafts and unknown addresses

DRAFT_FORUM_PAGES = [
    "/en/forums/draft-2100/",
    "/en/forums/draft-2100/programme/",
    "/en/forums/draft-2100/documents/",
    "/en/forums/draft-2100/roundtables/planned/",
]


@pytest.mark.parametrize("url", DRAFT_FORUM_PAGES)
def test_pages_of_a_draft_forum_are_not_found_by_the_public(client, draft_forum, url):
    response = client.get(url)

    assert response.status_code == 404
    assert _templates(response)[0] == "404.html"


@pytest.mark.parametrize("url", DRAFT_FORUM_PAGES)
def test_pages_of_a_draft_forum_are_previewed_by_staff_with_a_banner(organiser_client, draft_forum, url):
    response = organiser_client.get(url)

    assert response.status_code == 200
    assert response.context["forum"] == draft_forum
    assert f'<p class="preview-banner wrap" role="status">{DRAFT_BANNER}</p>' in response.content.decode()


@pytest.mark.parametrize(
    "url",
    [
        "/en/forums/nowhere/",
        "/en/forums/nowhere/programme/",
        "/en/forums/nowhere/documents/",
        "/en/forums/lisbon-2099/roundtables/nowhere/",
        "/en/forums/nowhere/roundtables/labour-mobility/",
        "/en/themes/nowhere/",
    ],
)
def test_unknown_slugs_get_the_sites_404_page(client, lisbon, url):
    response = client.get(url)

    assert response.status_code == 404
    assert _templates(response)[0] == "404.html"
    assert NOT_FOUND in response.content.decode()


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_an_unknown_address_under_each_language_gets_the_404_page(client, settings, db, language):
    settings.DEBUG = False

    response = client.get(f"/{language}/no-such-page/")

    html = response.content.decode()
    with translation.override(language):
        heading = translation.gettext("Page not found")
        home = translation.gettext("Go to the current programme")
    assert response.status_code == 404
    assert _templates(response)[0] == "404.html"
    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert f'<a class="button" href="/{language}/">{home}</a>' in html


def _boom(request):
    raise RuntimeError("Something broke.")


urlpatterns = [path("boom/", _boom), *site_urls.urlpatterns]


def test_handler500_renders_the_500_page(db):
    handler = get_resolver().resolve_error_handler(500)

    with translation.override("en"):  # what LocaleMiddleware does for /en/, which RequestFactory skips
        response = handler(RequestFactory().get("/en/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in html
    assert '<p lang="fr">Le programme n’a pas pu être affiché. Veuillez réessayer dans un instant.</p>' in html


@pytest.mark.urls(__name__)
def test_an_error_in_a_view_gets_the_500_page(client, settings, db):
    settings.DEBUG = False
    client.raise_request_exception = False

    response = client.get("/boom/")

    assert response.status_code == 500
    assert _templates(response) == ["500.html"]
    assert "<h1>Something went wrong on our side</h1>" in response.content.decode()


# Language links


def test_language_links_lead_to_the_same_page_in_each_language(client, lisbon):
    html = client.get("/en/forums/lisbon-2099/").content.decode()

    assert (
        '<li><a href="/en/forums/lisbon-2099/" hreflang="en" lang="en" aria-current="page">English</a></li>\n'
        "          \n"
        '          <li><a href="/fr/forums/lisbon-2099/" hreflang="fr" lang="fr">Français</a></li>\n'
        "          \n"
        '          <li><a href="/es/forums/lisbon-2099/" hreflang="es" lang="es">Español</a></li>'
    ) in html


def test_language_links_keep_the_query_string(client, lisbon):
    html = client.get("/fr/search/", {"q": "work"}).content.decode()

    assert '<a href="/en/search/?q=work" hreflang="en" lang="en">English</a>' in html
    assert '<a href="/fr/search/?q=work" hreflang="fr" lang="fr" aria-current="page">Français</a>' in html


def test_head_lists_each_language_version_and_a_language_neutral_default(client, lisbon):
    html = client.get("/es/themes/gender/").content.decode()

    assert (
        '<link rel="alternate" hreflang="en" href="http://testserver/en/themes/gender/">\n'
        '  <link rel="alternate" hreflang="fr" href="http://testserver/fr/themes/gender/">\n'
        '  <link rel="alternate" hreflang="es" href="http://testserver/es/themes/gender/">\n'
        '  <link rel="alternate" hreflang="x-default" href="http://testserver/themes/gender/">'
    ) in html


def test_the_language_neutral_address_redirects_by_accept_language(client, lisbon):
    response = client.get("/themes/gender/", headers={"accept-language": "fr"})

    assert (response.status_code, response["Location"]) == (302, "/fr/themes/gender/")


def test_language_links_of_an_unknown_page_lead_to_each_home_page(client, db):
    response = client.get("/fr/no-such-page/")

    html = response.content.decode()
    assert '<a href="/en/" hreflang="en" lang="en">English</a>' in html
    assert '<a href="/fr/no-such-page/" hreflang="fr" lang="fr" aria-current="page">Français</a>' in html
    assert 'hreflang="en" href=' not in html


def test_public_pages_carry_no_csrf_token_or_cookie(client, lisbon):
    response = client.get("/en/forums/lisbon-2099/")

    assert "csrfmiddlewaretoken" not in response.content.decode()
    assert "csrftoken" not in response.cookies


def test_the_old_language_form_address_still_works(client, lisbon):
    response = client.post("/i18n/setlang/", {"language": "fr", "next": "/en/forums/"})

    assert (reverse("set_language"), response.status_code, response["Location"]) == (
        "/i18n/setlang/",
        302,
        "/fr/forums/",
    )


# Queries: the same number whatever the size of the programme (the first is the cache's version check).
# Pages of no forum also look up the menu's forum, once until the programme changes (programme.context_processors).

PAGE_QUERIES = [
    ("forum-list", 3),
    ("forum", 6),  # the key documents' files: one query
    ("programme", 6),  # the themes of its sessions, for the theme filter
    ("documents", 6),  # the documents' files, sessions and roundtables: one query each
    ("roundtable", 8),  # the documents' files: one query
    ("theme-list", 3),
    ("theme", 6),
]


def _page_url(page, forum):
    roundtable = forum.roundtables.order_by("number").first()
    theme = roundtable.sessions.first().themes.order_by("pk").first()
    return {
        "forum-list": reverse("roundtables:forum-list"),
        "forum": forum.get_absolute_url(),
        "programme": reverse("roundtables:programme", kwargs={"forum": forum.slug}),
        "documents": reverse("roundtables:documents", kwargs={"forum": forum.slug}),
        "roundtable": roundtable.get_absolute_url(),
        "theme-list": reverse("roundtables:theme-list"),
        "theme": theme.get_absolute_url(),
    }[page]


@pytest.mark.parametrize("size", [3, 30])
@pytest.mark.parametrize(("page", "queries"), PAGE_QUERIES)
def test_public_page_queries_stay_flat(client, db, django_assert_num_queries, page, queries, size):
    forum = make_programme(roundtables=size)
    url = _page_url(page, forum)

    with django_assert_num_queries(queries):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize("size", [3, 30])
def test_home_redirect_runs_one_query(client, db, django_assert_num_queries, size):
    forum = make_programme(roundtables=size)

    with django_assert_num_queries(1):
        response = client.get("/en/")

    assert response["Location"] == forum.get_absolute_url()


@pytest.mark.parametrize("size", [3, 30])
def test_programme_lists_every_session_of_the_larger_programme(client, db, size):
    forum = make_programme(roundtables=size)

    response = client.get(reverse("roundtables:programme", kwargs={"forum": forum.slug}))

    assert response.context["session_count"] == 2 * size
    assert response.content.decode().count('<article class="session-card"') == 2 * size
