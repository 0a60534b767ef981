"""The programme PDFs: what they hold, how they are cached, locked and served."""

import io
import logging
import re
import threading
import time

import pytest
from django.db import connection, transaction
from pypdf import PdfReader

from roundtables.cache import programme_version
from roundtables.models import Forum, Status
from sessions import exports
from sessions.models import Participation, Session
from tests.factories import make_organisation, make_participation, make_person, make_user

# Every test here may touch the database; the marker also makes pytest-django create the test
# database for the module-scoped booklet below when no other test of the run asks for one.
pytestmark = pytest.mark.django_db

BOOKLET_URL = "/{language}/forums/athens-2009/programme.pdf"
ROUNDTABLE_URL = "/en/forums/athens-2009/roundtables/{slug}/handout.pdf"


def _athens():
    from roundtables.management.commands.load_programme import DATA_DIR
    from roundtables.services import programme_load

    return programme_load(path=DATA_DIR / "athens-2009.json")


def _reader(data):
    return PdfReader(io.BytesIO(data))


def _page_texts(reader):
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _outline_titles(outline, level=1):
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(_outline_titles(item, level + 1))
        else:
            titles.append((level, item.title))
    return titles


def _content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _session_url(session, suffix="handout.pdf"):
    return f"/en/forums/athens-2009/roundtables/{session.roundtable.slug}/{session.slug}/{suffix}"


@pytest.fixture(scope="module")
def athens_booklet(django_db_setup, django_db_blocker):
    """The English booklet of the Athens demo with people added, rendered once for the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        forum = _athens()
        session = Session.objects.get(roundtable__forum=forum, roundtable__number=1, number=1)
        unesco = make_organisation(name="Organisation « Migrants’ Voices »")
        make_participation(session=session, person=make_person(name="Ana Núñez", organisation=unesco), role="chair")
        make_participation(session=session, person=make_person(name="Kofi Mensah"), role="speaker")
        sessions = list(
            Session.objects.filter(roundtable__forum=forum)
            .select_related("roundtable")
            .order_by("roundtable__number", "number")
        )
        expected = {
            "roundtables": [str(roundtable) for roundtable in forum.roundtables.order_by("number")],
            "sessions": [(session.code, session.title) for session in sessions],
        }
        data = exports.render_pdf(exports.export_for(exports.BOOKLET, forum, language="en"))
        transaction.set_rollback(True)
    reader = _reader(data)
    expected["pages"] = _page_texts(reader)  # text extraction is slow: once for the module
    return reader, expected


# What the booklet holds -----------------------------------------------------------------------


def test_booklet_holds_every_roundtable_and_session_title_and_people(athens_booklet):
    _, expected = athens_booklet

    text = " ".join(expected["pages"])

    assert [title for title in expected["roundtables"] if title not in text] == []
    assert [title for code, title in expected["sessions"] if f"{code} {title}" not in text] == []
    assert "Chair Ana Núñez (Organisation « Migrants’ Voices »)" in text
    assert "Speaker Kofi Mensah" in text


def test_booklet_contents_give_the_page_of_each_session_heading(athens_booklet):
    _, expected = athens_booklet
    pages = expected["pages"]
    contents_pages = [i for i, text in enumerate(pages) if text.startswith("Contents")]

    contents = " ".join(pages[i] for i in contents_pages)
    printed = {code: int(page) for code, page in re.findall(r"(\d+\.\d+) .*?\.{4,} ?(\d+)", contents)}
    headings = {
        code: max(i for i, text in enumerate(pages) if f"{code} {' '.join(title.split()[:4])}" in text) + 1
        for code, title in expected["sessions"]
    }

    assert contents_pages == [1]
    assert printed == headings
    assert min(headings.values()) > contents_pages[-1] + 1  # after the contents and the programme at a glance


def test_booklet_contents_entries_link_to_their_pages(athens_booklet):
    reader, expected = athens_booklet
    page_numbers = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, start=1)}
    destinations = {name: page_numbers[dest.page.idnum] for name, dest in reader.named_destinations.items()}

    links = [
        annotation.get_object()["/Dest"]
        for annotation in reader.pages[1].get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]

    assert {f"session-{code.replace('.', '-')}" for code, _ in expected["sessions"]} <= set(map(str, links))
    assert destinations["session-1-1"] == 4


def test_booklet_outline_has_an_entry_per_roundtable_and_session(athens_booklet):
    reader, expected = athens_booklet

    titles = _outline_titles(reader.outline)

    assert [title for level, title in titles if level == 1] == [
        "Contents",
        "Programme at a glance",
        *expected["roundtables"],
    ]
    assert [title for level, title in titles if level == 2] == [
        f"{code} {title}" for code, title in expected["sessions"]
    ]


def test_booklet_metadata_language_and_tags(athens_booklet):
    reader, _ = athens_booklet
    catalog = reader.trailer["/Root"]

    assert reader.metadata.title == "Programme: Civil Society Days, Athens 2009"
    assert reader.metadata.author == "GFMD Civil Society Days organising committee"
    assert reader.metadata.creation_date is not None
    assert reader.metadata.modification_date is not None
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()


def test_booklet_is_a4_with_page_n_of_m_and_running_header(athens_booklet):
    reader, expected = athens_booklet
    pages = expected["pages"]
    total = len(pages)

    assert {(round(page.mediabox.width), round(page.mediabox.height)) for page in reader.pages} == {(595, 842)}
    assert [f"Page {n} of {total}" in text for n, text in enumerate(pages, start=1)] == [False] + [True] * (total - 1)
    assert "Civil Society Days, Athens 2009 Roundtable 1 · How to make" in pages[3]


def test_booklet_fonts_are_embedded(athens_booklet):
    reader, _ = athens_booklet
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[font["/BaseFont"].split("+")[-1]] = "/FontFile2" in descriptor or "/FontFile3" in descriptor

    assert fonts == {"GFMD-Noto-Sans": True, "GFMD-Noto-Sans-Bold": True, "GFMD-Noto-Sans-Italic": True}


# Languages ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            ["Table ronde 1", "· Room A", "Contexte", "Questions principales", "Page 1 sur 1", "lundi 2 novembre"],
        ),
        ("es", ["Mesa redonda 1", "· Room A", "Antecedentes", "Cuestiones principales", "Página 1 de 1", "lunes 2"]),
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


def test_page_counter_follows_the_word_order_of_the_translation():
    assert exports._counter_content("Página {page} de {pages}") == '"Página " counter(page) " de " counter(pages)'
    assert exports._counter_content('{page}/{pages} "x"') == 'counter(page) "/" counter(pages) " \\"x\\""'


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
    assert list((settings.MEDIA_ROOT / exports.CACHE_DIR_NAME).rglob("*.pdf")) == []


def test_staff_get_the_public_pdf_when_nothing_is_a_draft(client, athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=3, number=3)
    client.force_login(make_user(is_staff=True))

    export = exports.export_for(exports.SESSION, session, user=make_user(is_staff=True))
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
    cached = sorted(path.name for path in (settings.MEDIA_ROOT / exports.CACHE_DIR_NAME).rglob("*.pdf"))

    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]
    assert "1.1 A renamed session on ¿migración? and «développement»" in text
    assert cached == [f"v{programme_version()}.pdf"]


def test_failed_render_keeps_and_serves_the_last_good_pdf(
    client, athens, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    import weasyprint

    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    url = _session_url(session)
    good = client.get(url)
    good_body = _content(good)
    session.title = "Edited while the renderer is broken"
    with django_capture_on_commit_callbacks(execute=True):
        session.save()

    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    with caplog.at_level(logging.ERROR, logger="sessions.exports"):
        stale = client.get(url)

    assert stale.status_code == 200
    assert _content(stale) == good_body
    assert stale["ETag"] == good["ETag"]
    assert stale["Warning"] == '110 - "Response is stale"'
    assert "renderer down" in caplog.text


def test_failed_render_with_nothing_on_disk_is_a_clear_503(client, athens, monkeypatch):
    import weasyprint

    def broken(*args, **kwargs):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", broken)
    response = client.get(BOOKLET_URL.format(language="en"))

    assert response.status_code == 503
    assert response["Retry-After"] == str(exports.RETRY_AFTER)
    assert "PDF temporarily unavailable" in response.content.decode()
    assert list(exports._cache_directory(exports.export_for(exports.BOOKLET, athens)).glob("*.tmp")) == []


def test_pdf_rendering_reads_static_files_only(settings):
    fetcher = exports._static_fetcher([settings.BASE_DIR / "static"])

    with pytest.raises(ValueError, match="may only read static files"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError, match="may only read static files"):
        fetcher.fetch("https://example.org/font.ttf")
    assert fetcher.fetch((settings.BASE_DIR / "static" / "fonts" / "OFL.txt").as_uri()).read().startswith(b"Noto Sans")


# Concurrency ----------------------------------------------------------------------------------


@pytest.fixture
def committed_athens(transactional_db):
    return _athens()


def test_a_renderer_waits_for_the_render_another_one_holds(committed_athens):
    session = Session.objects.get(roundtable__forum=committed_athens, roundtable__number=1, number=1)
    export = exports.export_for(exports.SESSION, session, language="en")
    version = programme_version()
    directory = exports._cache_directory(export)
    results = []

    with exports.render_lock(directory):  # as another queue worker rendering this PDF
        waiting = threading.Thread(target=lambda: results.append(exports.render_into_cache(export, version=version)))
        waiting.start()
        time.sleep(0.5)
        still_waiting = waiting.is_alive()
        (directory / f"v{version}.pdf").write_bytes(b"%PDF-1.7 rendered by the other worker")
    waiting.join(timeout=10)

    assert still_waiting
    assert [result.path.read_bytes() for result in results] == [b"%PDF-1.7 rendered by the other worker"]


def test_two_renderers_at_once_render_once(committed_athens, caplog):
    session = Session.objects.get(roundtable__forum=committed_athens, roundtable__number=1, number=1)
    export = exports.export_for(exports.SESSION, session, language="en")
    version = programme_version()
    results = []
    start = threading.Barrier(2)

    def renderer():
        try:
            start.wait()
            results.append(exports.render_into_cache(export, version=version))
        finally:
            connection.close()

    with caplog.at_level(logging.INFO, logger="sessions.exports"):
        threads = [threading.Thread(target=renderer) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)

    renders = [record for record in caplog.records if record.getMessage().startswith("Rendered the session PDF")]
    assert len(renders) == 1
    assert [result.path.name for result in results] == [f"v{version}.pdf", f"v{version}.pdf"]


def test_lock_wait_gives_up_after_its_timeout(tmp_path):
    with exports.render_lock(tmp_path), pytest.raises(TimeoutError), exports.render_lock(tmp_path, timeout=0.2):
        pass


def test_roles_are_listed_in_a_fixed_order(athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    make_participation(session=session, role=Participation.Role.SPEAKER)
    make_participation(session=session, role=Participation.Role.CHAIR)
    make_participation(session=session, role=Participation.Role.RAPPORTEUR)

    [loaded] = exports._sessions(exports.export_for(exports.SESSION, session, language="en"), athens)

    assert [role for role, _ in loaded.people_by_role] == ["Chair", "Rapporteur", "Speaker"]


def test_public_render_of_draft_content_is_refused(athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    session.status = Status.DRAFT
    session.save()
    public_session = exports.Export(kind=exports.SESSION, obj=session, language="en")
    athens.status = Status.DRAFT
    public_booklet = exports.Export(kind=exports.BOOKLET, obj=athens, language="en")

    with pytest.raises(exports.PdfUnavailable, match="draft session"):
        exports.render_pdf(public_session)
    with pytest.raises(exports.PdfUnavailable, match="draft forum"):
        exports.render_pdf(public_booklet)


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


def test_booklet_glance_lists_sessions_by_day_and_time_with_room_and_page(athens_booklet):
    _, expected = athens_booklet
    glance = expected["pages"][2]

    assert glance.startswith("Programme at a glance All times are local time (Europe/Athens).")
    assert (
        "Monday 2 November 2009 09:30–11:00 "
        "1.1 Migration and Development: key actors and strategies for win-win solutions · Room A · p. 4"
    ) in glance
    assert "14:00–15:30 1.2 Engaging diasporas" in glance


def test_booklet_numbers_issues_and_shows_no_template_syntax(athens_booklet):
    _, expected = athens_booklet
    text = " ".join(expected["pages"])

    assert "Main issues 1. How to spread the benefits of migration more widely" in text
    assert [marker for marker in ("{#", "#}", "{%", "{{") if marker in text] == []


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

    monkeypatch.setattr(exports, "render_pdf", record)
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
    assert response["Retry-After"] == str(exports.RETRY_AFTER) == "15"
    assert response["Cache-Control"] == "no-store"
    assert elapsed < exports.REQUEST_WAIT + 1
    assert "<h1>The PDF is being prepared</h1>" in html
    assert f'<meta http-equiv="refresh" content="{exports.RETRY_AFTER}">' in html
    assert _queued() == [("render_pdf", ["booklet", athens.pk, "en"], 50, "READY")]


def test_a_request_waits_a_few_seconds_for_the_worker(client, athens, database_queue, renders):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    export = exports.export_for(exports.SESSION, session, language="en")
    path = exports._cache_directory(export) / f"v{programme_version()}.pdf"

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
    monkeypatch.setattr(exports, "REQUEST_WAIT", 60)  # a stale file is served without waiting
    export = exports.export_for(exports.BOOKLET, athens, language="fr")
    directory = exports._cache_directory(export)
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
    export = exports.export_for(exports.BOOKLET, athens, language="en")
    directory = exports._cache_directory(export)
    directory.mkdir(parents=True)
    (directory / f"v{programme_version()}.failed").write_text("RuntimeError: renderer down\n")

    response = client.get(BOOKLET_URL.format(language="en"))
    monkeypatch.setattr(exports, "FAILED_RETRY_AFTER", 0)
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
    monkeypatch.setattr(exports, "PREVIEW_MAX_SESSIONS", roundtable.sessions.count())

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
