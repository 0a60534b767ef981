"""The PDF disk cache (``sessions.pdf.store``): one file per language and programme version, written
once under a render lock however many renderers ask for it.

The cache key keeps one file per language: a French request never gets the English file. Each test
has a media folder of its own, so only a test that stores one language and asks for another
notices a cache key without the language."""

import io
import logging
import threading
import time

import pytest
from django.db import connection
from pypdf import PdfReader

from core.programme_version import programme_version
from sessions.models import Session
from sessions.pdf import content, store
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
    english = content.export_for(content.SESSION, session, language="en")
    french = content.export_for(content.SESSION, session, language="fr")

    stored = store.render_into_cache(english)
    french_is_current_before = store.is_current(french, stored.version)
    french_pdf = store.render_into_cache(french)

    assert french_is_current_before is False
    assert french_pdf.rendered is True
    assert french_pdf.path != stored.path
    assert (_language(stored.path.read_bytes()), _language(french_pdf.path.read_bytes())) == ("en", "fr")
    assert store.is_current(english, stored.version) is True


def test_the_french_booklet_is_prepared_rather_than_served_from_the_english_file(client, forum, database_queue):
    from django_tasks_db.models import DBTaskResult

    english = content.export_for(content.BOOKLET, forum, language="en")
    stored = store.render_into_cache(english)

    response = client.get("/fr/forums/small-forum/programme.pdf")

    assert stored.version == programme_version()
    assert (response.status_code, response["Content-Type"]) == (503, "text/html; charset=utf-8")
    assert [row.args_kwargs["args"] for row in DBTaskResult.objects.all()] == [["booklet", forum.pk, "fr"]]
    assert list(store.cache_root().rglob("*.pdf")) == [stored.path]


def test_each_language_of_the_booklet_is_served_in_that_language(client, forum):
    english = client.get("/en/forums/small-forum/programme.pdf")
    english_body = _content(english)
    french = client.get("/fr/forums/small-forum/programme.pdf")
    french_body = _content(french)

    assert (english.status_code, french.status_code) == (200, 200)
    assert (_language(english_body), _language(french_body)) == ("en", "fr")
    assert english["ETag"] != french["ETag"]
    assert len(list(store.cache_root().rglob("*.pdf"))) == 2


# Renderers at once -----------------------------------------------------------------------------


def _athens():
    from programme.management.commands.load_programme import DATA_DIR
    from programme.services import programme_load

    return programme_load(path=DATA_DIR / "athens-2009.json")


@pytest.fixture
def committed_athens(transactional_db):
    return _athens()


def test_a_renderer_waits_for_the_render_another_one_holds(committed_athens):
    session = Session.objects.get(roundtable__forum=committed_athens, roundtable__number=1, number=1)
    export = content.export_for(content.SESSION, session, language="en")
    version = programme_version()
    directory = store.directory_of(export)
    results = []

    with store.render_lock(directory):  # as another queue worker rendering this PDF
        waiting = threading.Thread(target=lambda: results.append(store.render_into_cache(export, version=version)))
        waiting.start()
        time.sleep(0.5)
        still_waiting = waiting.is_alive()
        (directory / f"v{version}.pdf").write_bytes(b"%PDF-1.7 rendered by the other worker")
    waiting.join(timeout=10)

    assert still_waiting
    assert [result.path.read_bytes() for result in results] == [b"%PDF-1.7 rendered by the other worker"]


def test_two_renderers_at_once_render_once(committed_athens, caplog):
    session = Session.objects.get(roundtable__forum=committed_athens, roundtable__number=1, number=1)
    export = content.export_for(content.SESSION, session, language="en")
    version = programme_version()
    results = []
    start = threading.Barrier(2)

    def renderer():
        try:
            start.wait()
            results.append(store.render_into_cache(export, version=version))
        finally:
            connection.close()

    with caplog.at_level(logging.INFO, logger="sessions.pdf.store"):
        threads = [threading.Thread(target=renderer) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)

    renders = [record for record in caplog.records if record.getMessage().startswith("Rendered the session PDF")]
    assert len(renders) == 1
    assert [result.path.name for result in results] == [f"v{version}.pdf", f"v{version}.pdf"]


def test_lock_wait_gives_up_after_its_timeout(tmp_path):
    with store.render_lock(tmp_path), pytest.raises(TimeoutError), store.render_lock(tmp_path, timeout=0.2):
        pass
