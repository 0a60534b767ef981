"""Render the programme booklets ahead of time, so that no delegate waits for one: ``manage.py render_booklets``.

A large booklet takes tens of seconds to lay out (a 300-session forum, about 20 s of CPU), longer
than a visitor should wait. This command renders, into the disk cache that the PDF views read
(``MEDIA_ROOT/pdf-cache/``), the booklet of every published forum (or of ``--forum``), in every
language of the site (or ``--language``), and with ``--handouts`` the roundtable handouts, for the
current programme version, skipping those already on disk. It takes the same lock as the views, so
a request arriving during a render waits for it instead of starting another.

Run it after publishing or editing a programme: ``exports.warm_up_in_background`` starts it in its
own process for the admin; or every minute from cron or a systemd timer (with nothing to render it
costs a query and a ``stat`` per PDF); or as a service with ``--watch SECONDS``.

One instance renders at a time: another one started meanwhile leaves at once, and the working one
goes round again if the programme changed while it rendered.
"""

import fcntl
import logging
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections
from django.utils import timezone

from roundtables.cache import programme_version
from roundtables.models import Forum, ProgrammeStamp
from sessions import exports

INSTANCE_LOCK = ".render_booklets.lock"

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Render the PDF booklets (and with --handouts the roundtable handouts) of the published forums "
        "into the PDF cache, for the current programme version, so that no visitor waits for a render."
    )

    def add_arguments(self, parser):
        languages = [code for code, _ in settings.LANGUAGES]
        parser.add_argument(
            "--forum", action="append", dest="forums", metavar="SLUG", help="Only this forum (repeatable)."
        )
        parser.add_argument(
            "--language", action="append", dest="languages", choices=languages, help="Only this language (repeatable)."
        )
        parser.add_argument("--handouts", action="store_true", help="Also render the roundtable handouts.")
        parser.add_argument(
            "--quiet-for",
            type=float,
            default=0,
            metavar="SECONDS",
            help="First wait until the programme has not changed for SECONDS (one render after a burst of edits).",
        )
        parser.add_argument(
            "--watch", type=float, metavar="SECONDS", help="Keep running, looking for work every SECONDS."
        )
        parser.add_argument(
            "--nice", type=int, default=0, help="Lower this process's CPU priority by this much (web requests first)."
        )

    def handle(self, *args, **options):
        if options["nice"]:
            os.nice(options["nice"])
        if options["watch"] is None:
            failures = self._render_until_current(options)
            if failures:
                raise CommandError(f"{failures} PDF(s) could not be rendered; the last good ones are served meanwhile.")
            return
        while True:  # a service: report what goes wrong, and try again at the next round
            try:
                self._render_until_current(options)
            except Exception:
                logger.exception("render_booklets --watch: this round failed")
            close_old_connections()
            time.sleep(options["watch"])

    def _render_until_current(self, options):
        """Render what the current version lacks, again while the programme changes; the number of failures."""
        failures = 0
        while True:
            directory = Path(settings.MEDIA_ROOT) / exports.CACHE_DIR_NAME
            directory.mkdir(parents=True, exist_ok=True)
            with open(directory / INSTANCE_LOCK, "a+b") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    self.stdout.write("Another render_booklets is at work; it renders the current version next.")
                    return failures
                try:
                    while True:
                        self._wait_until_quiet(options["quiet_for"])
                        version = programme_version()
                        failures += self._render_missing(options)
                        if programme_version() == version:
                            break
                finally:
                    fcntl.flock(handle, fcntl.LOCK_UN)
            # A change made just before we let go found the lock taken and left it to us.
            if programme_version() == version:
                return failures

    def _wait_until_quiet(self, seconds):
        while seconds > 0:
            changed_at = ProgrammeStamp.objects.filter(pk=1).values_list("changed_at", flat=True).first()
            quiet = (timezone.now() - changed_at).total_seconds() if changed_at else seconds
            if quiet >= seconds:
                return
            time.sleep(seconds - quiet)

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
                yield exports.export_for(exports.BOOKLET, forum, language=language)
                if options["handouts"]:
                    for roundtable in forum.roundtables.order_by("number"):
                        yield exports.export_for(exports.ROUNDTABLE, roundtable, language=language)

    def _render_missing(self, options):
        failures = 0
        for export in self._exports(options):
            started, cpu_started = time.perf_counter(), time.process_time()
            try:
                cached = exports.cached_pdf(export)
            except exports.PdfUnavailable:
                failures += 1
                self.stderr.write(f"Could not render {export.filename}, and no earlier version is on disk.")
                continue
            if cached.stale:
                failures += 1
                self.stderr.write(f"Could not render {export.filename}; v{cached.version} is served meanwhile.")
            elif cached.rendered:
                self.stdout.write(
                    f"Rendered {export.filename} (v{cached.version}) in {time.perf_counter() - started:.1f} s"
                    f" ({time.process_time() - cpu_started:.1f} s of CPU)."
                )
            elif options["verbosity"] > 1:
                self.stdout.write(f"Up to date: {export.filename} (v{cached.version}).")
        return failures
