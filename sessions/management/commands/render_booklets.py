"""Render the programme booklets now, in this process, or queue them for the worker: ``manage.py render_booklets``.

The PDFs are normally rendered by the task queue's worker (``manage.py db_worker``, see
``sessions/pdf/tasks.py``), which changes to the programme and requests keep busy. This command is for
when no worker runs, or to have the files on disk before a deadline: a deploy step, or a cron job.
It renders, into the disk cache that the PDF views read (``MEDIA_ROOT/pdf-cache/``), the booklet of
every published forum (or of ``--forum``), in every language of the site (or ``--language``), and
with ``--handouts`` the roundtable handouts, for the current programme version, skipping those
already on disk, and goes round again if the programme changed meanwhile. It takes the same lock
per PDF as the worker, so the two never lay out the same file twice. With nothing to render it
costs a query and a ``stat`` per PDF.

``--queue`` renders nothing here: it queues those of the same PDFs that the current version lacks
for the worker (unless already queued) and returns at once.
"""

import os
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.programme_version import programme_version
from roundtables.models import Forum
from sessions.pdf import content, store, tasks


class Command(BaseCommand):
    help = (
        "Render the PDF booklets (and with --handouts the roundtable handouts) of the published forums "
        "into the PDF cache for the current programme version, or with --queue queue them for the worker."
    )

    def add_arguments(self, parser):
        languages = [code for code, _ in settings.LANGUAGES]
        parser.add_argument(
            "--forum", action="append", dest="forums", metavar="SLUG", help="Only this forum (repeatable)."
        )
        parser.add_argument(
            "--language", action="append", dest="languages", choices=languages, help="Only this language (repeatable)."
        )
        parser.add_argument("--handouts", action="store_true", help="Also the roundtable handouts.")
        parser.add_argument(
            "--queue", action="store_true", help="Queue the renders for the worker (db_worker) instead of rendering."
        )
        parser.add_argument(
            "--nice", type=int, default=0, help="Lower this process's CPU priority by this much (web requests first)."
        )

    def handle(self, *args, **options):
        if options["queue"]:
            version = programme_version()
            behind = [export for export in self._exports(options) if not store.is_current(export, version)]
            queued = sum(tasks.queue_render(export) for export in behind)
            self.stdout.write(f"Queued {queued} render(s) for the worker.")
            return
        if options["nice"]:
            os.nice(options["nice"])
        failures = 0
        while True:
            version = programme_version()
            failures += self._render_missing(options, version)
            if programme_version() == version:
                break
        if failures:
            raise CommandError(f"{failures} PDF(s) could not be rendered; the last good ones are served meanwhile.")

    def _exports(self, options):
        forums = Forum.objects.published().order_by("starts_on", "pk")
        if options["forums"]:
            forums = forums.filter(slug__in=options["forums"])
            missing = set(options["forums"]) - {forum.slug for forum in forums}
            for slug in sorted(missing):
                self.stderr.write(f"No published forum “{slug}”: it has no public booklet.")
        languages = options["languages"] or [code for code, _ in settings.LANGUAGES]
        for forum in forums:
            for language in languages:
                yield content.export_for(content.BOOKLET, forum, language=language)
                if options["handouts"]:
                    for roundtable in forum.roundtables.order_by("number"):
                        yield content.export_for(content.ROUNDTABLE, roundtable, language=language)

    def _render_missing(self, options, version):
        failures = 0
        for export in self._exports(options):
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                cached = store.render_into_cache(export, version=version)
            except store.RenderFailed:
                failures += 1
                self.stderr.write(f"Could not render {export.filename} (v{version}).")
                continue
            if cached.rendered:
                self.stdout.write(
                    f"Rendered {export.filename} (v{cached.version}) in {time.perf_counter() - started:.1f} s"
                    f" ({time.process_time() - cpu_started:.1f} s of CPU)."
                )
            elif options["verbosity"] > 1:
                self.stdout.write(f"Up to date: {export.filename} (v{cached.version}).")
        return failures
