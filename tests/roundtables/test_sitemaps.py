import xml.etree.ElementTree as ET

import pytest

from roundtables.models import Status
from tests.factories import (
    make_forum,
    make_participation,
    make_person,
    make_programme,
    make_roundtable,
    make_session,
    make_theme,
)

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}
LANGUAGES = ["en", "fr", "es"]


@pytest.fixture
def programme(db):
    forum = make_forum(slug="lisbon-2099")
    roundtable = make_roundtable(forum=forum, slug="labour-mobility")
    theme = make_theme(slug="gender")
    session = make_session(roundtable=roundtable, slug="decent-work", themes=[theme])
    draft = make_session(roundtable=roundtable, slug="secret-plans", status=Status.DRAFT)
    make_participation(session=session, person=make_person(slug="amina-okafor"))
    make_participation(session=draft, person=make_person(slug="hidden-speaker"))
    make_person(slug="no-role")
    draft_forum = make_forum(slug="draft-2100", status=Status.DRAFT)
    planned = make_session(roundtable=make_roundtable(forum=draft_forum, slug="planned"), slug="planned-session")
    make_participation(session=planned, person=make_person(slug="planned-speaker"))
    return forum


def _urls(response):
    root = ET.fromstring(response.content)
    return root.findall("sm:url", NS)


def _locations(response):
    return {url.find("sm:loc", NS).text for url in _urls(response)}


def test_sitemap_lists_every_public_page_in_every_language(client, programme):
    paths = [
        "forums/",
        "themes/",
        "forums/lisbon-2099/",
        "forums/lisbon-2099/programme/",
        "forums/lisbon-2099/documents/",
        "forums/lisbon-2099/roundtables/labour-mobility/",
        "forums/lisbon-2099/roundtables/labour-mobility/decent-work/",
        "themes/gender/",
        "people/amina-okafor/",
    ]

    response = client.get("/sitemap.xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert _locations(response) == {f"http://testserver/{language}/{path}" for language in LANGUAGES for path in paths}
    assert len(_urls(response)) == len(paths) * len(LANGUAGES)


def test_sitemap_gives_each_page_its_translations_and_a_language_neutral_default(client, programme):
    response = client.get("/sitemap.xml")

    entry = next(url for url in _urls(response) if url.find("sm:loc", NS).text.endswith("/fr/forums/lisbon-2099/"))
    alternates = [(link.get("hreflang"), link.get("href")) for link in entry.findall("xhtml:link", NS)]
    assert alternates == [
        ("en", "http://testserver/en/forums/lisbon-2099/"),
        ("fr", "http://testserver/fr/forums/lisbon-2099/"),
        ("es", "http://testserver/es/forums/lisbon-2099/"),
        ("x-default", "http://testserver/forums/lisbon-2099/"),
    ]
    assert entry.find("sm:lastmod", NS).text == programme.updated_at.date().isoformat()


def test_sitemap_leaves_out_a_forum_once_it_is_unpublished(client, programme):
    programme.status = Status.DRAFT
    programme.save()

    response = client.get("/sitemap.xml")

    assert _locations(response) == {
        f"http://testserver/{language}/{path}"
        for language in LANGUAGES
        for path in ["forums/", "themes/", "themes/gender/"]
    }


@pytest.mark.parametrize("size", [3, 30])
def test_sitemap_queries_stay_flat(client, db, django_assert_num_queries, size):
    make_programme(roundtables=size)

    with django_assert_num_queries(7):
        response = client.get("/sitemap.xml")

    people = 1 + 2 * size  # the chair, and one speaker per session
    organisations = people  # each of them in an organisation of their own
    pages = 2 + 3 + size + 2 * size + 2 + people + organisations
    assert len(_urls(response)) == pages * len(LANGUAGES)
