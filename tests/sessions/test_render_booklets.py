"""Rendering the PDFs ahead of time: the render_booklets command and the background warm-up."""

import fcntl
import io
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from roundtables.cache import programme_bump, programme_version
from roundtables.models import Status
from sessions import exports
from sessions.management.commands.render_booklets import INSTANCE_LOCK
from tests.factories import make_forum, make_roundtable

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("render_booklets", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _cached_path(kind, obj, language):
    export = exports.export_for(kind, obj, language=language)
    return exports._cache_directory(export) / f"v{programme_version()}.pdf"


def _refuse_to_render(export):
    raise AssertionError(f"{export} was rendered during the request")


def test_renders_the_booklets_of_published_forums_once_and_requests_read_them(athens, client, monkeypatch):
    draft = make_roundtable(forum=make_forum(slug="draft-forum", status=Status.DRAFT)).forum

    out, err = _run("--language", "en", "--language", "fr")
    again, _ = _run("--language", "en", "--language", "fr")
    monkeypatch.setattr(exports, "render_pdf", _refuse_to_render)
    response = client.get("/fr/forums/athens-2009/programme.pdf")

    assert [line.split(" (")[0] for line in out.splitlines()] == [
        "Rendered athens-2009-programme-en.pdf",
        "Rendered athens-2009-programme-fr.pdf",
    ]
    assert (again, err) == ("", "")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _cached_path(exports.BOOKLET, athens, "fr").read_bytes()
    assert not _cached_path(exports.BOOKLET, draft, "en").parent.exists()


def test_renders_one_forum_with_its_handouts(client):
    roundtable = make_roundtable(sessions=2)
    other = make_roundtable()

    out, _ = _run("--forum", roundtable.forum.slug, "--language", "es", "--handouts")

    assert _cached_path(exports.BOOKLET, roundtable.forum, "es").exists()
    assert _cached_path(exports.ROUNDTABLE, roundtable, "es").exists()
    assert not _cached_path(exports.BOOKLET, other.forum, "es").parent.exists()
    assert len(out.splitlines()) == 2


def test_goes_round_again_when_the_programme_changes_during_a_render(monkeypatch):
    forum = make_roundtable(sessions=1).forum
    render = exports.render_pdf
    versions = []

    def render_then_edit(export):
        versions.append(programme_version())
        data = render(export)
        if len(versions) == 1:
            programme_bump()  # an editor saved a session meanwhile
        return data

    monkeypatch.setattr(exports, "render_pdf", render_then_edit)
    _run("--forum", forum.slug, "--language", "en")

    assert versions == [versions[0], versions[0] + 1]
    assert _cached_path(exports.BOOKLET, forum, "en").exists()


def test_leaves_at_once_while_another_instance_works(settings):
    forum = make_roundtable(sessions=1).forum
    directory = settings.MEDIA_ROOT / exports.CACHE_DIR_NAME
    directory.mkdir(parents=True)

    with open(directory / INSTANCE_LOCK, "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        out, _ = _run("--forum", forum.slug, "--language", "en")

    assert out.startswith("Another render_booklets is at work")
    assert not _cached_path(exports.BOOKLET, forum, "en").exists()


def test_reports_a_failed_render_with_an_error_status(monkeypatch):
    forum = make_roundtable(sessions=1).forum

    def broken(export):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(exports, "render_pdf", broken)

    with pytest.raises(CommandError, match="1 PDF"):
        _run("--forum", forum.slug, "--language", "en")


def test_warm_up_starts_the_command_in_its_own_process_after_the_commit(
    monkeypatch, settings, django_capture_on_commit_callbacks
):
    forum = make_forum(slug="lisbon")
    started = []
    monkeypatch.setattr(exports.subprocess, "Popen", lambda command, **kwargs: started.append((command, kwargs)))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        exports.warm_up_in_background(forum=forum, languages=["en"])
    before_commit = list(started)
    for callback in callbacks:
        callback()
    [(command, kwargs)] = started

    assert before_commit == []
    assert command == [
        sys.executable,
        str(settings.BASE_DIR / "manage.py"),
        "render_booklets",
        "--nice",
        "10",
        "--forum",
        "lisbon",
        "--language",
        "en",
    ]
    assert kwargs["start_new_session"] is True
    assert (settings.MEDIA_ROOT / exports.CACHE_DIR_NAME / exports.WARM_UP_LOG).exists()


def test_issue_texts_carry_their_list_label_and_lose_a_lone_paragraph():
    assert exports._list_item("2.", "Is *this* <b>a</b> question?") == "2. Is <em>this</em> a question?"
    assert exports._list_item("•", "One.\n\nTwo.") == "<p>• One.</p>\n<p>Two.</p>"
    assert exports._list_item("•", "- a list") == "• <ul>\n<li>a list</li>\n</ul>"
