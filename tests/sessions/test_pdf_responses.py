"""Serving the programme PDFs (``sessions.pdf.responses``): from the disk cache with ETags, stale or "being
prepared" meanwhile, in the page's language, previews of drafts for staff only; a request never renders."""

import io
import logging
import threading
import time

import pytest
from pypdf import PdfReader

from core.programme_version import programme_version
from roundtables.models import Forum, Status
from sessions.models import Session
from sessions.pdf import content, render, responses, store
from tests.factories import make_user

pytestmark = pytest.mark.django_db

BOOKLET_URL = "/{language}/forums/athens-2009/programme.pdf"
ROUNDTABLE_URL = "/en/forums/athens-2009/roundtables/{slug}/handout.pdf"


def _reader(data):
    return PdfReader(io.BytesIO(data))


def _page_texts(reader):
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _session_url(session, suffix="handout.pdf"):
    return f"/en/forums/athens-2009/roundtables/{session.roundtable.slug}/{session.slug}/{suffix}"


# Languages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            ["Table ronde 1", "· Salle A", "Contexte", "Questions principales", "Page 1 sur 1", "lundi 2 novembre"],
        ),
        ("es", ["Mesa redonda 1", "· Sala A", "Antecedentes", "Cuestiones principales", "Página 1 de 1", "lunes 2"]),
    ],
)
def test_session_handout_labels_follow_the_page_language(client, athens, language, words):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)

    response = client.get(_session_url(session).replace("/en/", f"/{language}/"))
    reader = _reader(_content(response))
    text = " ".join(_page_texts(reader))

    assert response["Content-Type"] == "application/pdf"
    assert [word for word in words if word not in text] == []
    assert reader.trailer["/Root"]["/Lang"] == language
    assert response["Content-Disposition"] == f'inline; filename="athens-2009-session-1.1-{language}.pdf"'


# Drafts ---------------------------------------------------------------------------------------


def test_public_booklet_leaves_out_draft_sessions(client, athens):
    draft = Session.objects.get(roundtable__forum=athens, roundtable__number=2, number=2)
    draft.status = Status.DRAFT
    draft.save()

    response = client.get(BOOKLET_URL.format(language="en"))
    text = " ".join(_page_texts(_reader(_content(response))))

    assert response.status_code == 200
    assert draft.title not in text
    assert "2.1 Inclusion, protection and acceptance" in text
    assert "Draft" not in text


def test_staff_preview_shows_drafts_marked_and_is_never_cached(client, athens, settings):
    draft = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=2)
    draft.status = Status.DRAFT
    draft.save()
    client.force_login(make_user(is_staff=True))

    response = client.get(ROUNDTABLE_URL.format(slug=draft.roundtable.slug))
    text = " ".join(_page_texts(_reader(_content(response))))

    assert response.status_code == 200
    assert f"1.2 {draft.title} Draft" in text
    assert "Preview with unpublished content, not for circulation" in text
    assert response["Cache-Control"] == "private, no-store"
    assert not response.has_header("ETag")
    assert list((settings.MEDIA_ROOT / store.CACHE_DIR_NAME).rglob("*.pdf")) == []


def test_staff_get_the_public_pdf_when_nothing_is_a_draft(client, athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=3, number=3)
    client.force_login(make_user(is_staff=True))

    export = content.export_for(content.SESSION, session, user=make_user(is_staff=True))
    response = client.get(_session_url(session))

    assert export.preview is False
    assert response["ETag"] == f'"session-{session.pk}-en-v{programme_version()}"'


def test_draft_session_and_draft_forum_pdfs_are_not_found_by_the_public(client, athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    session.status = Status.DRAFT
    session.save()

    session_response = client.get(_session_url(session))
    Forum.objects.filter(pk=athens.pk).update(status=Status.DRAFT)
    booklet_response = client.get(BOOKLET_URL.format(language="en"))

    assert (session_response.status_code, booklet_response.status_code) == (404, 404)


# The disk cache, ETags and failures -----------------------------------------------------------


def test_pdf_is_served_from_disk_with_etag_and_304(client, athens, django_assert_max_num_queries):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    url = _session_url(session)

    first = client.get(url)
    body = _content(first)
    with django_assert_max_num_queries(8):
        again = client.get(url)
    not_modified = client.get(url, headers={"if-none-match": first["ETag"]})
    since = client.get(url, headers={"if-modified-since": first["Last-Modified"]})

    assert first.status_code == 200
    assert body.startswith(b"%PDF-")
    assert first["ETag"] == f'"session-{session.pk}-en-v{programme_version()}"'
    assert first["Cache-Control"] == "no-cache"
    assert "Cookie" in first["Vary"]
    assert (_content(again), again["ETag"]) == (body, first["ETag"])
    assert (not_modified.status_code, not_modified.content) == (304, b"")
    assert since.status_code == 304


def test_pdf_is_rendered_afresh_after_an_edit(client, athens, settings, django_capture_on_commit_callbacks):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    url = _session_url(session)
    first = client.get(url)
    _content(first)

    session.title = "A renamed session on ¿migración? and «développement»"
    with django_capture_on_commit_callbacks(execute=True):
        session.save()
    after = client.get(url, headers={"if-none-match": first["ETag"]})
    text = " ".join(_page_texts(_reader(_content(after))))
    cached = sorted(path.name for path in (settings.MEDIA_ROOT / store.CACHE_DIR_NAME).rglob("*.pdf"))

    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert "1.1 A renamed session on ¿migración? and «développement»" in text
    assert cached == [f"v{programme_version()}.pdf"]


def test_failed_render_keeps_and_serves_the_last_good_pdf(
    client, athens, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    url = _session_url(session)
    good = client.get(url)
    good_body = _content(good)
    session.title = "Edited while the renderer is broken"
    with django_capture_on_commit_callbacks(execute=True):
        session.save()

    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(render, "compile_pdf", broken)
    with caplog.at_level(logging.ERROR, logger="sessions.pdf.store"):
        stale = client.get(url)

    assert stale.status_code == 200
    assert _content(stale) == good_body
    assert stale["ETag"] == good["ETag"]
    assert stale["Warning"] == '110 - "Response is stale"'
    assert "renderer down" in caplog.text


def test_failed_render_with_nothing_on_disk_is_a_clear_503(client, athens, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(render, "compile_pdf", broken)
    response = client.get(BOOKLET_URL.format(language="en"))

    assert response.status_code == 503
    assert response["Retry-After"] == str(responses.RETRY_AFTER)
    assert "PDF temporarily unavailable" in response.content.decode()
    assert list(store.directory_of(content.export_for(content.BOOKLET, athens)).glob("*.tmp")) == []


# Concurrency ----------------------------------------------------------------------------------


def test_public_pages_link_their_pdfs(client, athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=2, number=1)
    booklet = 'href="/en/forums/athens-2009/programme.pdf"'
    alternate = (
        '<link rel="alternate" type="application/pdf" title="Civil Society Days, Athens 2009: programme booklet (PDF)" '
    )

    pages = {
        name: client.get(url).content.decode()
        for name, url in {
            "forum": "/en/forums/athens-2009/",
            "programme": "/en/forums/athens-2009/programme/",
            "roundtable": f"/en/forums/athens-2009/roundtables/{session.roundtable.slug}/",
            "session": _session_url(session, suffix=""),
        }.items()
    }

    assert [name for name, html in pages.items() if f"{alternate}{booklet}>" in html] == ["forum", "programme"]
    assert [name for name, html in pages.items() if booklet in html] == ["forum", "programme", "roundtable"]
    assert ROUNDTABLE_URL.format(slug=session.roundtable.slug) in pages["roundtable"]
    assert _session_url(session) in pages["session"]


# A request never renders a public PDF: the queue's worker does ---------------------------------


@pytest.fixture
def database_queue(settings):
    """Tasks wait in the database until a worker runs them, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def renders(monkeypatch):
    """Every layout of a PDF in this process, recorded (and made fast: a few bytes stand for the PDF)."""
    calls = []

    def record(export):
        calls.append((export.kind, export.language, export.preview))
        return b"%PDF-1.7 rendered in this process"

    monkeypatch.setattr(render, "render_pdf", record)
    return calls


def _queued():
    from django_tasks_db.models import DBTaskResult

    return sorted(
        (row.task_path.rsplit(".", 1)[1], row.args_kwargs["args"], row.priority, row.status)
        for row in DBTaskResult.objects.all()
    )


def test_a_cold_booklet_request_answers_503_at_once_and_queues_the_render(client, athens, database_queue, renders):
    started = time.monotonic()
    response = client.get(BOOKLET_URL.format(language="en"))
    elapsed = time.monotonic() - started
    again = client.get(BOOKLET_URL.format(language="en"))
    html = response.content.decode()

    assert renders == []
    assert (response.status_code, again.status_code) == (503, 503)
    assert response["Retry-After"] == str(responses.RETRY_AFTER) == "15"
    assert response["Cache-Control"] == "no-store"
    assert elapsed < responses.REQUEST_WAIT + 1
    assert "<h1>The PDF is being prepared</h1>" in html
    assert f'<meta http-equiv="refresh" content="{responses.RETRY_AFTER}">' in html
    assert _queued() == [("render_pdf", ["booklet", athens.pk, "en"], 50, "READY")]


def test_a_request_waits_a_few_seconds_for_the_worker(client, athens, database_queue, renders):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    export = content.export_for(content.SESSION, session, language="en")
    path = store.directory_of(export) / f"v{programme_version()}.pdf"

    def worker():
        time.sleep(0.5)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7 rendered by the worker")

    thread = threading.Thread(target=worker)
    thread.start()
    response = client.get(_session_url(session))
    thread.join()

    assert renders == []
    assert response.status_code == 200
    assert _content(response) == b"%PDF-1.7 rendered by the worker"
    assert not response.has_header("Warning")


def test_a_request_gets_the_last_good_pdf_marked_stale_while_the_new_one_is_queued(
    client, athens, database_queue, renders, monkeypatch
):
    monkeypatch.setattr(responses, "REQUEST_WAIT", 60)  # a stale file is served without waiting
    export = content.export_for(content.BOOKLET, athens, language="fr")
    directory = store.directory_of(export)
    directory.mkdir(parents=True)
    old = programme_version() - 1
    (directory / f"v{old}.pdf").write_bytes(b"%PDF-1.7 last good booklet")

    started = time.monotonic()
    response = client.get(BOOKLET_URL.format(language="fr"))
    elapsed = time.monotonic() - started

    assert renders == []
    assert response.status_code == 200
    assert _content(response) == b"%PDF-1.7 last good booklet"
    assert response["Warning"] == '110 - "Response is stale"'
    assert response["ETag"] == f'"booklet-{athens.pk}-fr-v{old}"'
    assert elapsed < 1
    assert _queued() == [("render_pdf", ["booklet", athens.pk, "fr"], 50, "READY")]


def test_after_a_failed_render_requests_queue_nothing_for_a_while_and_say_so(
    client, athens, database_queue, renders, monkeypatch
):
    export = content.export_for(content.BOOKLET, athens, language="en")
    directory = store.directory_of(export)
    directory.mkdir(parents=True)
    (directory / f"v{programme_version()}.failed").write_text("RuntimeError: renderer down\n")

    response = client.get(BOOKLET_URL.format(language="en"))
    monkeypatch.setattr(store, "FAILED_RETRY_AFTER", 0)
    later = client.get(BOOKLET_URL.format(language="en"))

    assert renders == []
    assert response.status_code == 503
    assert response["Retry-After"] == "15"
    assert "The PDF could not be produced just now." in response.content.decode()
    assert later.status_code == 503
    assert _queued() == [("render_pdf", ["booklet", athens.pk, "en"], 50, "READY")]  # queued again only later


def test_a_staff_preview_renders_in_the_request_only_when_small(client, athens, renders, monkeypatch):
    Session.objects.filter(roundtable__forum=athens, roundtable__number=1, number=1).update(status=Status.DRAFT)
    roundtable = athens.roundtables.get(number=1)
    client.force_login(make_user(is_staff=True))
    monkeypatch.setattr(responses, "PREVIEW_MAX_SESSIONS", roundtable.sessions.count())

    handout = client.get(ROUNDTABLE_URL.format(slug=roundtable.slug))
    booklet = client.get(BOOKLET_URL.format(language="en"))

    assert handout.status_code == 200
    assert renders == [("roundtable", "en", True)]
    assert booklet.status_code == 503
    assert not booklet.has_header("Retry-After")
    assert (
        f"This preview with unpublished content would hold {Session.objects.filter(roundtable__forum=athens).count()} "
        f"sessions; previews are made while you wait, for at most {roundtable.sessions.count()} sessions."
    ) in " ".join(booklet.content.decode().split())
