"""The PDF disk cache (``sessions.exports``) keeps one file per language: a French request never gets the
English file. Each test has a media folder of its own, so only a test that stores one language and
asks for another notices a cache key without the language."""

import io

import pytest
from pypdf import PdfReader

from roundtables.cache import programme_version
from sessions import exports
from sessions.models import Session
from tests.factories import make_programme


def _language(data):
    return PdfReader(io.BytesIO(data)).trailer["/Root"]["/Lang"]


def _content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def forum(db):
    return make_programme(roundtables=1, sessions_per_roundtable=1, slug="small-forum")


@pytest.fixture
def database_queue(settings):
    """Tasks wait in the database until a worker runs them, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def test_each_language_of_a_pdf_is_cached_in_a_file_of_its_own(forum):
    session = Session.objects.get(roundtable__forum=forum)
    english = exports.export_for(exports.SESSION, session, language="en")
    french = exports.export_for(exports.SESSION, session, language="fr")

    stored = exports.render_into_cache(english)
    french_is_current_before = exports.is_current(french, stored.version)
    french_pdf = exports.render_into_cache(french)

    assert french_is_current_before is False
    assert french_pdf.rendered is True
    assert french_pdf.path != stored.path
    assert (_language(stored.path.read_bytes()), _language(french_pdf.path.read_bytes())) == ("en", "fr")
    assert exports.is_current(english, stored.version) is True


def test_the_french_booklet_is_prepared_rather_than_served_from_the_english_file(client, forum, database_queue):
    from django_tasks_db.models import DBTaskResult

    english = exports.export_for(exports.BOOKLET, forum, language="en")
    stored = exports.render_into_cache(english)

    response = client.get("/fr/forums/small-forum/programme.pdf")

    assert stored.version == programme_version()
    assert (response.status_code, response["Content-Type"]) == (503, "text/html; charset=utf-8")
    assert [row.args_kwargs["args"] for row in DBTaskResult.objects.all()] == [["booklet", forum.pk, "fr"]]
    assert list(exports.cache_root().rglob("*.pdf")) == [stored.path]


def test_each_language_of_the_booklet_is_served_in_that_language(client, forum):
    english = client.get("/en/forums/small-forum/programme.pdf")
    english_body = _content(english)
    french = client.get("/fr/forums/small-forum/programme.pdf")
    french_body = _content(french)

    assert (english.status_code, french.status_code) == (200, 200)
    assert (_language(english_body), _language(french_body)) == ("en", "fr")
    assert english["ETag"] != french["ETag"]
    assert len(list(exports.cache_root().rglob("*.pdf"))) == 2
