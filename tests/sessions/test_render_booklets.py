"""render_booklets: rendering the booklets in the command's own process, or queueing them for the worker."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from core.programme_version import programme_bump, programme_version
from roundtables.models import Status
from sessions.pdf import content, render, store
from tests.factories import make_forum, make_roundtable

pytestmark = pytest.mark.django_db


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("render_booklets", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _cached_path(kind, obj, language):
    export = content.export_for(kind, obj, language=language)
    return store.directory_of(export) / f"v{programme_version()}.pdf"


def _refuse_to_render(export):
    raise AssertionError(f"{export} was rendered during the request")


def test_renders_the_booklets_of_published_forums_once_and_requests_read_them(athens, client, monkeypatch):
    draft = make_roundtable(forum=make_forum(slug="draft-forum", status=Status.DRAFT)).forum

    out, err = _run("--language", "en", "--language", "fr")
    again, _ = _run("--language", "en", "--language", "fr")
    monkeypatch.setattr(render, "render_pdf", _refuse_to_render)
    response = client.get("/fr/forums/athens-2009/programme.pdf")

    assert [line.split(" (")[0] for line in out.splitlines()] == [
        "Rendered athens-2009-programme-en.pdf",
        "Rendered athens-2009-programme-fr.pdf",
    ]
    assert (again, err) == ("", "")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == _cached_path(content.BOOKLET, athens, "fr").read_bytes()
    assert not _cached_path(content.BOOKLET, draft, "en").parent.exists()


def test_renders_one_forum_with_its_handouts(client):
    roundtable = make_roundtable(sessions=2)
    other = make_roundtable()

    out, _ = _run("--forum", roundtable.forum.slug, "--language", "es", "--handouts")

    assert _cached_path(content.BOOKLET, roundtable.forum, "es").exists()
    assert _cached_path(content.ROUNDTABLE, roundtable, "es").exists()
    assert not _cached_path(content.BOOKLET, other.forum, "es").parent.exists()
    assert len(out.splitlines()) == 2


def test_goes_round_again_when_the_programme_changes_during_a_render(monkeypatch):
    forum = make_roundtable(sessions=1).forum
    real_render = render.render_pdf
    versions = []

    def render_then_edit(export):
        versions.append(programme_version())
        data = real_render(export)
        if len(versions) == 1:
            programme_bump()  # an editor saved a session meanwhile
        return data

    monkeypatch.setattr(render, "render_pdf", render_then_edit)
    _run("--forum", forum.slug, "--language", "en")

    assert versions == [versions[0], versions[0] + 1]
    assert _cached_path(content.BOOKLET, forum, "en").exists()


def test_reports_a_failed_render_with_an_error_status(monkeypatch):
    forum = make_roundtable(sessions=1).forum

    def broken(export):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(render, "render_pdf", broken)

    with pytest.raises(CommandError, match="1 PDF"):
        _run("--forum", forum.slug, "--language", "en")


def test_queue_option_queues_the_renders_for_the_worker_and_renders_nothing(settings, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    roundtable = make_roundtable(sessions=1)
    store.render_into_cache(content.export_for(content.BOOKLET, roundtable.forum, language="en"))  # on disk
    monkeypatch.setattr(render, "render_pdf", _refuse_to_render)
    options = ["--forum", roundtable.forum.slug, "--language", "en", "--language", "fr", "--handouts", "--queue"]

    out, _ = _run(*options)
    again, _ = _run(*options)

    assert (out, again) == ("Queued 3 render(s) for the worker.\n", "Queued 0 render(s) for the worker.\n")
    assert sorted((row.args_kwargs["args"], row.status) for row in DBTaskResult.objects.all()) == [
        (["booklet", roundtable.forum.pk, "fr"], "READY"),
        (["roundtable", roundtable.pk, "en"], "READY"),
        (["roundtable", roundtable.pk, "fr"], "READY"),
    ]
