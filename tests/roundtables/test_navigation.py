"""The site's menu: the same entries on every page, the current forum's programme one click away, and the
current page marked with aria-current."""

import datetime
import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from roundtables.models import Status
from tests.factories import make_forum, make_programme, make_roundtable, make_session, make_theme


def make_dated_forum(*, starts_on, **overrides):
    return make_forum(starts_on=starts_on, ends_on=starts_on + datetime.timedelta(days=1), **overrides)


def _menu(html):
    """The main menu's links as (text, href, aria-current or class marker) in order."""
    nav = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', html, re.DOTALL)[1]
    links = []
    for attributes, text in re.findall(r"<a ([^>]*)>([^<]*)</a>", nav):
        href = re.search(r'href="([^"]*)"', attributes)[1]
        marker = re.search(r'aria-current="([^"]*)"|class="([^"]*)"', attributes)
        links.append((text, href, (marker[1] or marker[2]) if marker else ""))
    return links


@pytest.fixture
def forums(db):
    """Athens (2009, the current forum: the latest with a programme), an older Brussels forum and a later
    forum announced without roundtables yet."""
    athens = make_dated_forum(name="Athens 2009", slug="athens-2009", starts_on=datetime.date(2009, 11, 2))
    theme = make_theme(name="Gender", slug="gender")
    make_session(roundtable=make_roundtable(forum=athens), themes=[theme])
    brussels = make_dated_forum(name="Brussels 2007", slug="brussels-2007", starts_on=datetime.date(2007, 7, 9))
    make_session(roundtable=make_roundtable(forum=brussels))
    make_dated_forum(name="Mexico 2010", slug="mexico-2010", starts_on=datetime.date(2010, 11, 8))
    return {"athens": athens, "brussels": brussels, "theme": theme}


ATHENS = "/en/forums/athens-2009/"
ATHENS_PROGRAMME = "/en/forums/athens-2009/programme/"


def _entries(current=None, *, forum="Athens 2009", slug="athens-2009", sections=()):
    """The menu expected on a page: ``current`` is the href marked aria-current, ``sections`` those marked as
    the page's section."""
    links = [
        (forum, f"/en/forums/{slug}/"),
        ("Programme", f"/en/forums/{slug}/programme/"),
        ("Themes", "/en/themes/"),
        ("All forums", "/en/forums/"),
        ("Good practices", "/en/good-practices/"),
        ("Contribute", "/en/contribute/"),
        ("My agenda", "/en/agenda/"),
    ]
    return [
        (text, href, "page" if href == current else "is-section" if href in sections else "") for text, href in links
    ]


@pytest.mark.parametrize(
    ("url", "current", "sections"),
    [
        (ATHENS, ATHENS, ()),
        (ATHENS_PROGRAMME, ATHENS_PROGRAMME, ()),
        ("/en/themes/", "/en/themes/", ()),
        ("/en/themes/gender/", None, ("/en/themes/",)),
        ("/en/forums/", "/en/forums/", ()),
        ("/en/good-practices/", "/en/good-practices/", ()),
        ("/en/contribute/", "/en/contribute/", ()),
        ("/en/agenda/", "/en/agenda/", ()),
        ("/en/search/?q=gender", None, ()),
    ],
)
def test_every_main_page_has_the_same_menu_with_this_page_marked_current(client, forums, url, current, sections):
    html = client.get(url).content.decode()

    assert _menu(html) == _entries(current, sections=sections)


def test_a_page_of_another_forum_offers_that_forums_programme(client, forums):
    roundtable = forums["brussels"].roundtables.get()

    html = client.get(roundtable.get_absolute_url()).content.decode()

    assert _menu(html) == _entries(forum="Brussels 2007", slug="brussels-2007", sections=("/en/forums/brussels-2007/",))


def test_the_programme_of_an_older_forum_is_marked_current_in_its_own_menu(client, forums):
    html = client.get("/en/forums/brussels-2007/programme/").content.decode()

    assert _menu(html) == _entries("/en/forums/brussels-2007/programme/", forum="Brussels 2007", slug="brussels-2007")


def test_the_menu_is_translated_with_the_address(client, forums):
    html = client.get("/fr/themes/").content.decode()

    assert _menu(html)[:3] == [
        ("Athens 2009", "/fr/forums/athens-2009/", ""),
        ("Programme", "/fr/forums/athens-2009/programme/", ""),
        ("Thèmes", "/fr/themes/", "page"),
    ]


def test_the_not_found_page_offers_the_current_programme_too(client, forums):
    response = client.get("/en/no-such-page/")

    assert response.status_code == 404
    assert _menu(response.content.decode()) == _entries()


def test_without_any_published_forum_the_menu_has_no_forum_entries(client, db):
    make_forum(name="Draft 2100", slug="draft-2100", status=Status.DRAFT)

    html = client.get("/en/themes/").content.decode()

    assert [text for text, _href, _marker in _menu(html)] == [
        "Themes",
        "All forums",
        "Good practices",
        "Contribute",
        "My agenda",
    ]


def test_staff_see_the_draft_forum_they_are_preparing_and_the_public_does_not(client, organiser_client, forums):
    draft = make_dated_forum(
        name="Dhaka 2016", slug="dhaka-2016", starts_on=datetime.date(2016, 12, 8), status=Status.DRAFT
    )
    make_roundtable(forum=draft)

    staff_html = organiser_client.get("/en/themes/").content.decode()
    client.logout()
    public_html = client.get("/en/themes/").content.decode()

    assert _menu(staff_html)[0] == ("Dhaka 2016", "/en/forums/dhaka-2016/", "")
    assert _menu(public_html)[0] == ("Athens 2009", ATHENS, "")


def test_the_search_page_names_its_two_search_forms_apart(client, forums):
    html = client.get("/en/search/?q=gender").content.decode()

    assert re.findall(r'<form [^>]*role="search"[^>]*>', html) == [
        '<form class="site-search" action="/en/search/" method="get" role="search" aria-label="Site search">',
        '<form class="search-form" action="/en/search/" method="get" role="search" aria-labelledby="search-heading">',
    ]
    assert '<h1 id="search-heading">Search the programme</h1>' in html


# What the menu's forum costs.


def test_the_menus_forum_costs_one_query_then_none_until_the_programme_changes(
    client, forums, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_assert_num_queries(3):  # the version check, the themes, the menu's forum
        client.get("/en/themes/")
    with django_assert_num_queries(2):  # another page without a forum of its own: the menu's forum is kept
        client.get("/en/forums/")
    with django_capture_on_commit_callbacks(execute=True):
        later = make_dated_forum(name="Mexico 2010 bis", slug="mexico-2010-bis", starts_on=datetime.date(2010, 12, 1))
        make_roundtable(forum=later)

    html = client.get("/en/themes/").content.decode()

    assert _menu(html)[0] == ("Mexico 2010 bis", "/en/forums/mexico-2010-bis/", "")


def test_pages_of_a_forum_never_look_the_menus_forum_up(client, forums):
    client.get(ATHENS)
    client.get("/en/forums/brussels-2007/programme/")

    assert cache.get("navigation:forum:public") is None


@pytest.mark.parametrize("size", [4, 150])
def test_theme_page_queries_stay_flat_with_the_menu(client, db, django_assert_num_queries, size):
    forum = make_programme(roundtables=size)
    theme = forum.roundtables.first().sessions.first().themes.order_by("pk").first()

    with django_assert_num_queries(6):  # the page's 5, and the menu's forum once
        response = client.get(theme.get_absolute_url())

    assert _menu(response.content.decode())[1] == ("Programme", reverse("roundtables:programme", args=[forum.slug]), "")
