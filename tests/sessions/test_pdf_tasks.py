"""Rendering the PDFs on the task queue: what is queued and when, coalescing, and the worker's round trip."""

import datetime
import signal
import time

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from core.programme_version import programme_bump, programme_version
from roundtables.models import Forum, ProgrammeStamp, Status
from sessions.models import Session
from sessions.pdf import content, render, responses, store, tasks
from tests.factories import make_forum, make_roundtable, make_session

pytestmark = pytest.mark.django_db

BOOKLET_URL = "/{language}/forums/{slug}/programme.pdf"


@pytest.fixture(autouse=True)
def database_queue(settings):
    """Tasks wait in the database until a worker runs them, as in production."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


@pytest.fixture
def renders(monkeypatch):
    """Every layout of a PDF, recorded (a few bytes stand for the PDF)."""
    calls = []

    def record(export):
        calls.append((export.kind, export.obj.pk, export.language))
        return b"%PDF-1.7 " + f"{export.kind} {export.language}".encode()

    monkeypatch.setattr(render, "render_pdf", record)
    return calls


def _queued(status="READY"):
    return sorted(
        (row.task_path.rsplit(".", 1)[1], row.args_kwargs["args"], row.priority)
        for row in DBTaskResult.objects.filter(status=status)
    )


def _cached(kind, obj, language):
    return store.directory_of(content.export_for(kind, obj, language=language)) / f"v{programme_version()}.pdf"


@pytest.fixture
def worker_signals():
    """db_worker installs its own SIGINT and SIGTERM handlers: give pytest its own back afterwards."""
    saved = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for number, handler in saved.items():
        signal.signal(number, handler)


def _run_worker():
    """The real worker, until the queue is empty."""
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", "--interval", "0", verbosity=0)


# Queueing and coalescing ----------------------------------------------------------------------


def test_ten_changes_queue_one_refresh(django_capture_on_commit_callbacks):
    for _ in range(10):
        with django_capture_on_commit_callbacks(execute=True):
            programme_bump()
            tasks.schedule_renders()

    assert _queued() == [("refresh_pdfs", [], 0)]


def test_schedule_renders_queues_nothing_before_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tasks.schedule_renders()
    before = _queued()
    for callback in callbacks:
        callback()

    assert before == []
    assert _queued() == [("refresh_pdfs", [], 0)]


def test_ten_requests_for_a_cold_pdf_queue_one_render(client, renders, monkeypatch):
    monkeypatch.setattr(responses, "REQUEST_WAIT", 0)
    forum = make_roundtable(sessions=1).forum

    statuses = [client.get(BOOKLET_URL.format(language="es", slug=forum.slug)).status_code for _ in range(10)]

    assert statuses == [503] * 10
    assert renders == []
    assert _queued() == [("render_pdf", ["booklet", forum.pk, "es"], tasks.REQUESTED_PRIORITY)]


def test_a_request_moves_a_waiting_render_ahead(client, renders, monkeypatch):
    monkeypatch.setattr(responses, "REQUEST_WAIT", 0)
    forum = make_roundtable(sessions=1).forum
    tasks.queue_render(content.export_for(content.BOOKLET, forum, language="en"))
    ahead = _queued()

    client.get(BOOKLET_URL.format(language="en", slug=forum.slug))

    assert ahead == [("render_pdf", ["booklet", forum.pk, "en"], 0)]
    assert _queued() == [("render_pdf", ["booklet", forum.pk, "en"], 50)]


@pytest.mark.parametrize(
    ("started", "queued_again"),
    [
        ("after the last change", False),  # it renders the current version: nothing to add
        ("before the last change", True),  # it may render the version before the change
        ("20 minutes ago", True),  # left "running" by a worker that died
    ],
)
def test_a_running_render_counts_only_if_it_started_after_the_last_change(started, queued_again):
    forum = make_roundtable(sessions=1).forum
    export = content.export_for(content.BOOKLET, forum, language="en")
    tasks.queue_render(export)
    programme_bump()
    changed_at = ProgrammeStamp.objects.get(pk=1).changed_at
    started_at = {
        "after the last change": changed_at + datetime.timedelta(seconds=1),
        "before the last change": changed_at - datetime.timedelta(seconds=1),
        "20 minutes ago": changed_at - datetime.timedelta(minutes=20),
    }[started]
    DBTaskResult.objects.update(status="RUNNING", started_at=started_at)  # a worker took it

    queued = tasks.queue_render(export)

    assert queued is queued_again
    assert len(_queued()) == int(queued_again)


def test_a_request_finding_the_render_pending_answers_at_once(client, renders, monkeypatch):
    monkeypatch.setattr(responses, "REQUEST_WAIT", 60)
    forum = make_roundtable(sessions=1).forum
    tasks.queue_render(content.export_for(content.BOOKLET, forum, language="en"))

    started = time.monotonic()
    response = client.get(BOOKLET_URL.format(language="en", slug=forum.slug))
    elapsed = time.monotonic() - started

    assert response.status_code == 503
    assert elapsed < 1
    assert renders == []


def test_a_committed_change_to_the_programme_queues_one_refresh(settings, django_capture_on_commit_callbacks):
    settings.PDF_REFRESH_ON_CHANGE = True
    session = make_session()

    with django_capture_on_commit_callbacks(execute=True):
        session.title = "Renamed"
        session.save()
        make_session(roundtable=session.roundtable, number=2)

    assert _queued() == [("refresh_pdfs", [], 0)]


def test_changes_queue_no_refresh_when_switched_off(settings, django_capture_on_commit_callbacks):
    settings.PDF_REFRESH_ON_CHANGE = False

    with django_capture_on_commit_callbacks(execute=True):
        make_session()

    assert _queued() == []


# Publishing -----------------------------------------------------------------------------------


def test_publishing_a_forum_queues_a_refresh(organiser_client, django_capture_on_commit_callbacks):
    forum = make_roundtable(sessions=1, forum=make_forum(status=Status.DRAFT)).forum
    url = reverse("admin:roundtables_forum_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url, {"action": "publish", "_selected_action": [forum.pk]})

    assert Forum.objects.get(pk=forum.pk).status == Status.PUBLISHED
    assert ("refresh_pdfs", [], 0) in _queued()


def test_publishing_sessions_queues_a_refresh(organiser_client, django_capture_on_commit_callbacks):
    session = make_session(status=Status.DRAFT)
    url = reverse("admin:programme_sessions_session_changelist")

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(url, {"action": "publish", "_selected_action": [session.pk]})

    assert Session.objects.get(pk=session.pk).status == Status.PUBLISHED
    assert ("refresh_pdfs", [], 0) in _queued()


# What is stale --------------------------------------------------------------------------------


def test_refresh_queues_the_booklets_and_the_cached_pdfs_behind_the_current_version(renders):
    roundtable = make_roundtable(sessions=2)
    forum = roundtable.forum
    session = roundtable.sessions.first()
    draft_forum = make_roundtable(sessions=1, forum=make_forum(status=Status.DRAFT)).forum
    old = programme_version()
    for kind, obj, language in [(content.ROUNDTABLE, roundtable, "fr"), (content.SESSION, session, "en")]:
        store.render_into_cache(content.export_for(kind, obj, language=language), version=old)
    store.render_into_cache(content.export_for(content.BOOKLET, forum, language="es"), version=old)
    programme_bump()
    store.render_into_cache(content.export_for(content.BOOKLET, forum, language="es"))  # current already
    Session.objects.filter(pk=session.pk).update(status=Status.DRAFT)  # its old handout is no longer public

    result = tasks.refresh_pdfs.call()

    assert _queued() == sorted(
        [
            ("render_pdf", ["booklet", forum.pk, "en"], 0),
            ("render_pdf", ["booklet", forum.pk, "fr"], 0),
            ("render_pdf", ["roundtable", roundtable.pk, "fr"], 0),
        ]
    )
    assert result == {"version": programme_version(), "behind": 3, "queued": 3}
    assert draft_forum.pk not in {args[1] for _, args, _ in _queued()}


def test_render_task_renders_for_the_current_version_and_skips_what_is_on_disk(renders):
    forum = make_roundtable(sessions=1).forum

    first = tasks.render_pdf.call("booklet", forum.pk, "fr")
    second = tasks.render_pdf.call("booklet", forum.pk, "fr")

    assert renders == [("booklet", forum.pk, "fr")]
    assert first["rendered"] is True
    assert second["rendered"] is False
    assert _cached(content.BOOKLET, forum, "fr").read_bytes() == b"%PDF-1.7 booklet fr"


def test_render_task_goes_round_again_when_the_programme_changes_meanwhile(monkeypatch):
    forum = make_roundtable(sessions=1).forum

    def render_then_edit(export):
        programme_bump()  # an editor saved a session during the render
        return b"%PDF-1.7"

    monkeypatch.setattr(render, "render_pdf", render_then_edit)
    tasks.render_pdf.call("booklet", forum.pk, "en")

    assert _queued() == [("render_pdf", ["booklet", forum.pk, "en"], 0)]


def test_render_task_leaves_drafts_alone(renders):
    draft = make_roundtable(sessions=1, forum=make_forum(status=Status.DRAFT)).forum

    result = tasks.render_pdf.call("booklet", draft.pk, "en")

    assert result == {"rendered": False, "reason": "not public"}
    assert renders == []
    assert not store.cache_root().exists()


# The worker's round trip (real worker, real database queue) -----------------------------------


def test_worker_renders_the_queued_booklet_and_the_next_request_serves_it(client, transactional_db, worker_signals):
    session = make_session(title="Fair recruitment – ¿cómo?")
    forum = session.roundtable.forum
    url = BOOKLET_URL.format(language="en", slug=forum.slug)

    cold = client.get(url)
    queued = _queued()
    _run_worker()
    served = client.get(url)
    body = b"".join(served.streaming_content)

    assert cold.status_code == 503
    assert queued == [("render_pdf", ["booklet", forum.pk, "en"], 50)]
    assert _queued("SUCCESSFUL") == queued
    assert _queued() == []
    assert served.status_code == 200
    assert served["ETag"] == f'"booklet-{forum.pk}-en-v{programme_version()}"'
    assert body.startswith(b"%PDF-")
    assert body == _cached(content.BOOKLET, forum, "en").read_bytes()
    assert not served.has_header("Warning")


def test_a_failed_render_in_the_worker_leaves_the_last_good_pdf(
    client, transactional_db, worker_signals, renders, monkeypatch
):
    forum = make_roundtable(sessions=1).forum
    url = BOOKLET_URL.format(language="en", slug=forum.slug)
    tasks.render_pdf.call("booklet", forum.pk, "en")
    good = _cached(content.BOOKLET, forum, "en")
    good_version = programme_version()
    programme_bump()

    def broken(export):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(render, "render_pdf", broken)
    stale = client.get(url)
    _run_worker()
    after = client.get(url)

    assert stale.status_code == after.status_code == 200
    assert b"".join(after.streaming_content) == good.read_bytes() == b"%PDF-1.7 booklet en"
    assert after["Warning"] == '110 - "Response is stale"'
    assert after["ETag"] == f'"booklet-{forum.pk}-en-v{good_version}"'
    [failed] = DBTaskResult.objects.filter(status="FAILED")
    assert failed.exception_class_path == "sessions.pdf.store.RenderFailed"
    assert "renderer down" in failed.traceback
    assert _queued() == []  # the failure is not queued again at once
