"""Rendering the programme PDFs in the background, on the task queue: what is queued, and when.

The queue is django-tasks with its database backend (``TASKS`` in the settings): a task is a row
in the portal's own database (SQLite or PostgreSQL), and ``manage.py db_worker`` runs the tasks,
highest priority first (``make run`` starts one beside gunicorn; the README says how to run it in
production and how to see the queue). Web requests only queue; the worker lays the PDFs out.

Two tasks:

- ``render_pdf(kind, pk, language)`` renders one public PDF for the programme version current
  when it runs (nothing if that file is already on disk), and queues itself again if the version
  moved during the render;
- ``refresh_pdfs()`` works out what the current version lacks on disk (the booklet of every
  published forum in every language, and every other PDF of the disk cache whose newest file is
  older) and queues a ``render_pdf`` for each.

``schedule_renders()`` queues ``refresh_pdfs`` once the current transaction commits. The receiver
``refresh_on_programme_change`` calls it after every committed change to what the public sees
(unless ``PDF_REFRESH_ON_CHANGE`` is off), and the admin's actions that publish forums, or publish
and unpublish sessions, call it themselves. A request that misses a PDF queues its ``render_pdf``
at a higher priority (``queue_render``, from ``responses``); ``render_booklets --queue`` queues
from the command line.

Queueing is coalesced: a task is not queued again while the same task with the same arguments is
waiting in the queue, so ten edits in a minute cause one refresh and one render per PDF, each for
the version current when it runs. A task already running counts too if it started after the last
change to the programme (and less than ``store.LOCK_TIMEOUT`` ago, so a task left "running" by a
killed worker stops counting); one that started before it may miss that change, so the change gets
a task of its own. Two requests at the very same instant may still both queue a render; the second
finds the file on disk and does nothing.
"""

import datetime
import logging
import time

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from core.programme_version import programme_version
from roundtables.models import Forum, ProgrammeStamp, Roundtable, Status

from ..models import Session
from . import store
from .content import BOOKLET, KINDS, ROUNDTABLE, export_for

logger = logging.getLogger(__name__)

REQUESTED_PRIORITY = 50  # somebody is waiting for this PDF: before the renders made ahead of time
AHEAD_PRIORITY = 0


def _public_objects(kind):
    """The records of ``kind`` that have a public PDF: published, in a published forum."""
    if kind == BOOKLET:
        return Forum.objects.published()
    if kind == ROUNDTABLE:
        return Roundtable.objects.filter(forum__status=Status.PUBLISHED).select_related("forum")
    return Session.objects.published().select_related("roundtable__forum")


def _languages():
    return [code for code, _name in settings.LANGUAGES]


# Queueing -------------------------------------------------------------------------------------


def _pending(task_object, args):
    """The row of ``task_object`` with ``args`` in the database queue that will see the current programme.

    One waiting to run, or one running that started after the last change (and not so long ago
    that its worker must have died). None if there is none, or the backend keeps no queue (the
    immediate backend of the tests runs a task as it is queued).
    """
    backend = task_object.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    changed_at = ProgrammeStamp.objects.filter(pk=1).values_list("changed_at", flat=True).first()
    running = Q(status="RUNNING", started_at__gt=timezone.now() - datetime.timedelta(seconds=store.LOCK_TIMEOUT))
    if changed_at is not None:
        running &= Q(started_at__gte=changed_at)
    return (
        DBTaskResult.objects.filter(Q(pk__in=DBTaskResult.objects.ready().values("pk")) | running)
        .filter(backend_name=backend.alias, task_path=task_object.module_path, args_kwargs={"args": args, "kwargs": {}})
        .order_by("-status")  # "RUNNING" before "READY": nothing to move ahead then
        .first()
    )


def _enqueue_once(task_object, *args, priority=AHEAD_PRIORITY):
    """Queue ``task_object(*args)`` unless it is pending; a waiting one gets ``priority`` if that is higher.

    Returns True if a task was queued.
    """
    args = list(args)
    pending = _pending(task_object, args)
    if pending is not None:
        if pending.status == "READY" and pending.priority < priority:
            DBTaskResult.objects.filter(pk=pending.pk, status="READY", priority__lt=priority).update(priority=priority)
        return False
    task_object.using(priority=priority).enqueue(*args)
    return True


def queue_render(export, *, requested=False):
    """Queue the render of a public ``export`` (``requested``: somebody is waiting for it). True if queued."""
    if export.preview:
        raise ValueError("Previews with unpublished content are never rendered in the background.")
    priority = REQUESTED_PRIORITY if requested else AHEAD_PRIORITY
    return _enqueue_once(render_pdf, export.kind, export.obj.pk, export.language, priority=priority)


def schedule_renders():
    """Queue a refresh of the stale PDFs once the current transaction commits (at once outside one).

    Cheap (a query, and an insert unless a refresh is already waiting), so it may be called after
    every change. A queue that cannot be reached is logged, never an error for the change itself:
    the next request for a PDF queues its render anyway.
    """
    transaction.on_commit(lambda: _enqueue_once(refresh_pdfs), robust=True)


def refresh_on_programme_change(sender, **kwargs):
    """Receiver of ``core.programme_version.programme_version_changed``: every committed change to what the
    public sees queues one (coalesced) refresh, so the PDFs are rendered before delegates ask for
    them. ``PDF_REFRESH_ON_CHANGE=0`` turns it off (the tests do, but for the ones about it)."""
    if settings.PDF_REFRESH_ON_CHANGE:
        schedule_renders()


# What the current version lacks ---------------------------------------------------------------


def exports_behind(version):
    """The public exports that have no file for programme ``version`` on disk, booklets first.

    The booklet of every published forum in every language (the latest forum first), then every
    other PDF that the cache holds for a record still public, in a language of the site.
    """
    languages = _languages()
    wanted = [
        (BOOKLET, forum.pk, language)
        for forum in Forum.objects.published().order_by("-starts_on", "pk")
        for language in languages
    ]
    wanted += sorted(
        (item for item in store.cached_exports() if item not in wanted and item[2] in languages),
        key=lambda item: (KINDS.index(item[0]), item[1], languages.index(item[2])),
    )
    objects = {}
    for kind in KINDS:
        pks = {pk for item_kind, pk, _ in wanted if item_kind == kind}
        objects[kind] = _public_objects(kind).in_bulk(pks) if pks else {}
    behind = []
    for kind, pk, language in wanted:
        obj = objects[kind].get(pk)
        if obj is None:
            continue
        export = export_for(kind, obj, language=language)
        if not store.is_current(export, version):
            behind.append(export)
    return behind


# The tasks ------------------------------------------------------------------------------------


@task()
def refresh_pdfs():
    """Queue a render of every public PDF that the current programme version lacks on disk."""
    version = programme_version()
    behind = exports_behind(version)
    queued = sum(queue_render(export) for export in behind)
    logger.info("PDFs behind programme v%s: %d; renders queued: %d", version, len(behind), queued)
    return {"version": version, "behind": len(behind), "queued": queued}


@task()
def render_pdf(kind, pk, language):
    """Render one public PDF for the programme version current now, unless it is on disk.

    A record no longer public (unpublished, deleted) has nothing to render. If the programme
    changed during the render, the same render is queued again for the new version. A failed render
    raises (the queue marks the task failed); the last good file stays and is served meanwhile.
    """
    if kind not in KINDS or language not in _languages():
        raise ValueError(f"No such PDF: {kind!r} in {language!r}.")
    obj = _public_objects(kind).filter(pk=pk).first()
    if obj is None:
        return {"rendered": False, "reason": "not public"}
    export = export_for(kind, obj, language=language)
    version = programme_version()
    started = time.perf_counter()
    cached = store.render_into_cache(export, version=version)
    if programme_version() != version:
        queue_render(export)
    return {
        "file": str(cached.path.relative_to(store.cache_root())),
        "version": version,
        "rendered": cached.rendered,
        "seconds": round(time.perf_counter() - started, 1),
    }
