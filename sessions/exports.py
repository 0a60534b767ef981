"""Print-ready PDFs of the programme: the forum's booklet and the roundtable and session handouts.

HTML templates under ``templates/pdf/`` and the paged-media stylesheet ``static/css/pdf.css`` are
laid out by WeasyPrint, with the Noto Sans files shipped in ``static/fonts/`` embedded.

Public PDFs are cached on disk under ``MEDIA_ROOT/pdf-cache/``, one file per (kind, object,
language, programme version), so every worker and every server sharing the media storage shares
them. A change to the programme bumps ``programme_version()``, so the next request renders a fresh
file. An exclusive ``flock`` on a lock file beside the cached files makes concurrent requests wait
for one render instead of each rendering; a file is written to a temporary name and moved into place
with ``os.replace``, so a failed render leaves the last good file, which is then served.

A booklet of a few hundred sessions takes tens of seconds to render (about 25 s of CPU for 300
sessions), so it is meant to be rendered ahead of time: ``manage.py render_booklets`` (run after a
change, from cron, or as a service with ``--watch``; ``warm_up_in_background`` starts it from a web
process) puts the current version on disk before delegates ask for it. On a cold cache the request
path stays correct rather than fast: the request renders the PDF itself, or, if another process is
already rendering it, waits for that render up to ``REQUEST_LOCK_TIMEOUT``; past that, or if the
render fails, it serves the newest earlier file marked stale (``Warning: 110``), else a 503 with
``Retry-After``. It never serves an older version knowingly while a fresh one can be had in time.

Staff previews (a draft forum, or draft sessions in the chosen scope) are rendered for the request
and never written to the cache, so an unpublished session cannot reach a public PDF.
"""

import contextlib
import datetime
import fcntl
import gc
import io
import logging
import os
import re
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_vary_headers, quote_etag
from django.utils.html import conditional_escape
from django.utils.http import http_date
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from roundtables.cache import programme_version
from roundtables.models import ProgrammeStamp, Status
from roundtables.selectors import can_preview, programme_days, sessions_for_listing
from roundtables.templatetags.portal import render_markdown

from .models import Issue, Participation, Session

logger = logging.getLogger(__name__)

CACHE_DIR_NAME = "pdf-cache"
STYLESHEET = "css/pdf.css"
LOCK_TIMEOUT = 120  # seconds a render waits for another process's render of the same PDF before giving up
# A request waits less: gunicorn kills a worker after GUNICORN_TIMEOUT (60 s by default), and a
# request that gives up in time can still be answered with the last good PDF, or a 503.
REQUEST_LOCK_TIMEOUT = 45
RETRY_AFTER = 30  # seconds, suggested to clients when no PDF can be served

BOOKLET, ROUNDTABLE, SESSION = "booklet", "roundtable", "session"
KINDS = (BOOKLET, ROUNDTABLE, SESSION)

ISSUE_HEADINGS = {  # translated when the PDF is rendered, in its language
    Issue.Kind.MAIN_ISSUE: gettext_noop("Main issues"),
    Issue.Kind.PROPOSED_THEME: gettext_noop("Proposed themes"),
    Issue.Kind.QUESTION: gettext_noop("Discussion questions"),
}
ROLE_ORDER = list(Participation.Role.values)


class PdfUnavailable(Exception):
    """No PDF could be rendered and no earlier one is on disk."""


@dataclass(frozen=True)
class Export:
    """One PDF to produce: what (kind, obj), in which language, and whether it may show drafts.

    ``preview`` is set only when a staff member asks for a scope that holds unpublished content;
    such an export is rendered for its request and never cached.
    """

    kind: str
    obj: object = field(compare=False)
    language: str
    preview: bool = False
    user: object = field(default=None, compare=False, repr=False)

    @property
    def forum(self):
        if self.kind == BOOKLET:
            return self.obj
        if self.kind == ROUNDTABLE:
            return self.obj.forum
        return self.obj.roundtable.forum

    @property
    def filename(self):
        slug = self.forum.slug
        if self.kind == BOOKLET:
            stem = f"{slug}-programme"
        elif self.kind == ROUNDTABLE:
            stem = f"{slug}-roundtable-{self.obj.number}"
        else:
            stem = f"{slug}-session-{self.obj.code}"
        return f"{stem}{'-preview' if self.preview else ''}-{self.language}.pdf"


@dataclass(frozen=True)
class CachedPdf:
    path: Path
    version: int
    stale: bool = False
    rendered: bool = False  # this call rendered it (else it was on disk, or another process rendered it)


# Choosing what to export ----------------------------------------------------------------------


def _has_unpublished(kind, obj):
    if not Export(kind=kind, obj=obj, language="").forum.is_published:
        return True
    if kind == SESSION:
        return not obj.is_published
    sessions = Session.objects.filter(roundtable__forum=obj) if kind == BOOKLET else obj.sessions.all()
    return sessions.exclude(status=Status.PUBLISHED).exists()


def export_for(kind, obj, *, user=None, language=None):
    """The export of ``obj`` that ``user`` may see, in ``language`` (default: the active one).

    Visitors get the public PDF. Staff get the same public PDF unless the scope holds unpublished
    content, in which case they get an uncached preview that shows it, marked as a draft.
    """
    if kind not in KINDS:
        raise ValueError(f"Unknown PDF kind {kind!r}.")
    preview = can_preview(user) and _has_unpublished(kind, obj)
    return Export(
        kind=kind,
        obj=obj,
        language=language or translation.get_language() or settings.LANGUAGE_CODE,
        preview=preview,
        user=user if preview else None,
    )


# Reading the programme ------------------------------------------------------------------------


def _sessions(export, forum):
    """The sessions the export shows, with everything a session page shows already fetched."""
    issues = Issue.objects.filter(parent__isnull=True).prefetch_related(
        Prefetch("points", queryset=Issue.objects.order_by("position", "id"))
    )
    sessions = (
        sessions_for_listing(forum=forum, user=export.user if export.preview else None, with_organisations=True)
        .prefetch_related(Prefetch("issues", queryset=issues.order_by("position", "id"), to_attr="top_issues"))
        .order_by("roundtable__number", "number")
    )
    if export.kind == ROUNDTABLE:
        sessions = sessions.filter(roundtable=export.obj)
    elif export.kind == SESSION:
        sessions = sessions.filter(pk=export.obj.pk)
    sessions = list(sessions)
    for session in sessions:
        _annotate_session(session)
    return sessions


def _list_item(label, text):
    """A short text (an issue, a point) as sanitised HTML led by its list label ("2.", "•").

    The label is written into the text rather than drawn by CSS: WeasyPrint lays out every list
    marker as a box of its own, which for the thousands of issues and points of a large booklet
    costs more than the text. A text of one paragraph loses the paragraph around it (one block
    box less in its list item); a longer one keeps its paragraphs, the label in the first.
    """
    html = render_markdown(text)
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    elif html.startswith("<p>"):
        html = html[3:]
        return mark_safe(f"<p>{conditional_escape(label)} {html}")  # render_markdown's output, sanitised
    return mark_safe(f"{conditional_escape(label)} {html}")


def _annotate_session(session):
    """Group a session's people by role and its issues by kind, in a fixed order, for the templates."""
    by_role = {}
    for participation in session.participations.all():
        by_role.setdefault(participation.role, []).append(participation)
    session.people_by_role = [(Participation.Role(role).label, by_role[role]) for role in ROLE_ORDER if role in by_role]
    by_kind = {}
    for issue in session.top_issues:
        by_kind.setdefault(issue.kind, []).append(issue)
    session.issue_groups = [(_(heading), by_kind[kind]) for kind, heading in ISSUE_HEADINGS.items() if kind in by_kind]
    for _heading, issues in session.issue_groups:
        for number, issue in enumerate(issues, start=1):
            issue.pdf_text = _list_item(f"{number}.", issue.text)
            issue.pdf_points = [_list_item("•", point.text) for point in issue.points.all()]
    session.theme_list = list(session.themes.all())


def _context(export):
    forum = export.forum
    if not export.preview and not forum.is_published:  # the views never ask for it; belt and braces
        raise PdfUnavailable("A draft forum has no public PDF.")
    sessions = _sessions(export, forum)
    if export.kind == SESSION and not sessions:
        raise PdfUnavailable("A draft session has no public PDF.")
    if export.kind == BOOKLET:
        roundtables = list(forum.roundtables.order_by("number"))
    else:
        roundtables = [export.obj if export.kind == ROUNDTABLE else export.obj.roundtable]
    for roundtable in roundtables:
        roundtable.pdf_sessions = [s for s in sessions if s.roundtable_id == roundtable.pk]
        if roundtable.pdf_sessions and not roundtable.background:  # no rule between heading and first session
            roundtable.pdf_sessions[0].pdf_first = True
    stamp = ProgrammeStamp.objects.filter(pk=1).values_list("changed_at", flat=True).first()
    return {
        "export": export,
        "forum": forum,
        "roundtables": roundtables,
        "roundtable": roundtables[0] if export.kind != BOOKLET else None,
        "session": sessions[0] if export.kind == SESSION and sessions else None,
        "sessions": sessions,
        "days": programme_days(sessions=sessions, forum=forum) if export.kind == BOOKLET else [],
        "themes": sorted({theme.name for s in sessions for theme in s.theme_list}),
        "preview": export.preview,
        "created_at": timezone.now(),
        "modified_at": max(filter(None, [stamp, forum.updated_at])),
    }


# Rendering ------------------------------------------------------------------------------------


def _css_string(text):
    """``text`` as a quoted CSS string, safe inside a stylesheet."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return f'"{escaped}"'


def _counter_content(template):
    """CSS ``content`` for a translated "Page {page} of {pages}", keeping the language's word order."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def _labels_css(export):
    """The translated words of the page margins, which a static stylesheet cannot carry."""
    footer = _counter_content(_("Page {page} of {pages}"))
    note = _("Preview with unpublished content, not for circulation") if export.preview else ""
    return (
        f"@page {{ @bottom-right {{ content: {footer}; }} }}\n"
        f"@page {{ @bottom-left {{ content: {_css_string(note)}; }} }}\n"
        f"@page cover {{ @bottom-right {{ content: none; }} }}\n"
    )


def _static_fetcher(roots):
    """A WeasyPrint URL fetcher that reads the project's static files (stylesheet, fonts) and nothing else.

    The programme's texts are Markdown rendered without images, but a PDF render must never reach
    the network or the rest of the disk whatever a template holds; a missing font or stylesheet
    fails the render rather than silently falling back to the system's fonts.
    """
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    roots = [Path(root).resolve() for root in roots]

    class StaticFileFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
            if path is None or not any(path.is_relative_to(root) for root in roots):
                raise ValueError(f"PDF rendering may only read static files, not {url}")
            return super().fetch(url, headers)

    return StaticFileFetcher(allowed_protocols={"file"}, fail_on_errors=True)


def _memoise_page_references():
    """Make pydyf's ``PDF.page_references`` constant-time, as tagging a long PDF needs.

    pydyf 0.13 rebuilds the tuple of all page references on every access, and WeasyPrint's tagging
    reads it once per tagged box: quadratic, about a fifth of the time of a 300-session booklet.
    The memo is keyed on the number of pages, so it is exact whenever a page is added.
    """
    import pydyf

    if getattr(pydyf.PDF, "_gfmd_memoised", False):
        return
    compute = pydyf.PDF.page_references.fget

    def page_references(pdf):
        kids = len(pdf.pages["Kids"])
        memo = pdf.__dict__.get("_gfmd_page_references")
        if memo is None or memo[0] != kids:
            memo = (kids, compute(pdf))
            pdf.__dict__["_gfmd_page_references"] = memo
        return memo[1]

    pydyf.PDF.page_references = property(page_references)
    pydyf.PDF._gfmd_memoised = True


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector during a render, and collect once after it.

    WeasyPrint makes millions of objects (styles, boxes, text runs) that mostly live until the PDF
    is written, and the collector walks them again and again as they age: about a quarter of the
    CPU time of a 300-session booklet. Reference counting still frees what is dropped on the way;
    the render's cycles go in the one collection at the end. The switch is per process: a render
    in another thread meanwhile only makes the pause longer.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def _weasyprint(html, labels, stylesheet):
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _static_fetcher([stylesheet.parent.parent])
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=stylesheet.as_uri(), url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[
            CSS(filename=stylesheet, font_config=fonts, url_fetcher=fetcher),
            CSS(string=labels, font_config=fonts, url_fetcher=fetcher),
        ],
        font_config=fonts,
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
    )


def render_pdf(export):
    """Lay out the export with WeasyPrint and return the PDF bytes (tagged, fonts embedded)."""
    _memoise_page_references()
    stylesheet = finders.find(STYLESHEET)
    if not stylesheet:
        raise PdfUnavailable(f"The PDF stylesheet {STYLESHEET} is missing.")
    with translation.override(export.language):
        html = render_to_string(f"pdf/{export.kind}.html", _context(export))
        labels = _labels_css(export)
    with _cyclic_gc_paused():
        return _weasyprint(html, labels, Path(stylesheet))


# The disk cache -------------------------------------------------------------------------------


def _cache_directory(export):
    return Path(settings.MEDIA_ROOT) / CACHE_DIR_NAME / f"{export.kind}-{export.obj.pk}" / export.language


def _version_of(path):
    return int(path.stem.removeprefix("v"))


def _cached_versions(directory):
    """The complete PDFs in ``directory``, newest version first."""
    return sorted((path for path in directory.glob("v*.pdf") if path.stem[1:].isdigit()), key=_version_of, reverse=True)


@contextlib.contextmanager
def render_lock(directory, timeout=LOCK_TIMEOUT):
    """Hold the exclusive lock on ``directory``'s renders, across threads, processes and servers.

    ``flock`` locks belong to the open file, so two workers (or two threads, each opening the
    file) exclude each other. Raises ``TimeoutError`` after ``timeout`` seconds of waiting.
    """
    directory.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with open(directory / ".lock", "a+b") as handle:
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"Another process is still rendering in {directory}.") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _write_atomically(path, data):
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part."""
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".render-", suffix=".tmp", delete=False) as handle:
        temporary = Path(handle.name)
        try:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        except BaseException:
            handle.close()
            temporary.unlink(missing_ok=True)
            raise
    try:
        temporary.chmod(0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def cached_pdf(export, *, version=None, lock_timeout=LOCK_TIMEOUT):
    """The PDF file of ``export`` for the programme ``version`` (default: the current one).

    Renders it if no worker has yet, holding the lock so that one render serves everybody: a request
    that finds another process (a worker, or ``render_booklets`` in the background) rendering it
    waits for that render, up to ``lock_timeout`` seconds. If the render fails or the wait times
    out, the newest earlier file is returned, marked stale; with none, PdfUnavailable.
    """
    if export.preview:
        raise ValueError("Previews with unpublished content are never cached.")
    version = programme_version() if version is None else version
    directory = _cache_directory(export)
    path = directory / f"v{version}.pdf"
    if path.exists():
        return CachedPdf(path, version)
    rendered = False
    try:
        with render_lock(directory, timeout=lock_timeout):
            if not path.exists():  # another worker may have rendered it while we waited
                started = time.perf_counter()
                _write_atomically(path, render_pdf(export))
                rendered = True
                logger.info(
                    "Rendered the %s PDF of %s (%s, v%s) in %.1f s",
                    export.kind, export.obj, export.language, version, time.perf_counter() - started,
                )  # fmt: skip
    except Exception as error:
        logger.exception(
            "Could not render the %s PDF of %s (%s, v%s)", export.kind, export.obj, export.language, version
        )
        earlier = next(iter(_cached_versions(directory)), None)
        if earlier is None:
            raise PdfUnavailable(str(error)) from error
        return CachedPdf(earlier, _version_of(earlier), stale=True)
    _remove_leftovers(directory, version)
    return CachedPdf(path, version, rendered=rendered)


def _remove_leftovers(directory, version):
    """Delete the PDFs of older versions, and temporary files that a killed worker left behind."""
    for older in _cached_versions(directory):
        if _version_of(older) < version:
            older.unlink(missing_ok=True)
    abandoned = time.time() - 2 * LOCK_TIMEOUT
    for temporary in directory.glob(".render-*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if temporary.stat().st_mtime < abandoned:
                temporary.unlink()


# Rendering ahead of time ----------------------------------------------------------------------

WARM_UP_LOG = "render_booklets.log"  # in the cache directory: what background renders report


def warm_up_in_background(*, forum=None, languages=None):
    """Start ``manage.py render_booklets`` in a separate process once the current transaction commits.

    For the admin's publish action and any other change to a published programme: the booklets of
    the new version are rendered at low priority while nobody waits for them, in a process that
    exits when it is done (a 300-session render needs a few hundred MB, which a web worker would
    keep). If a background render is already running, the new process leaves at once and the
    running one renders the new version after its current one, so calling this on every change
    is cheap. Its messages go to ``render_booklets.log`` in the cache directory.
    """
    command = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py"), "render_booklets", "--nice", "10"]
    if forum is not None:
        command += ["--forum", forum.slug]
    for language in languages or ():
        command += ["--language", language]

    def start():
        directory = Path(settings.MEDIA_ROOT) / CACHE_DIR_NAME
        try:
            directory.mkdir(parents=True, exist_ok=True)
            with open(directory / WARM_UP_LOG, "ab") as log:
                subprocess.Popen(
                    command,
                    cwd=settings.BASE_DIR,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    start_new_session=True,  # outlives the request, and a worker's restart
                    close_fds=True,
                )
        except OSError:
            logger.exception("Could not start the background render of the booklets")

    transaction.on_commit(start)


def _render_preview(export):
    try:
        return render_pdf(export)
    except Exception as error:
        logger.exception("Could not render the preview %s PDF of %s (%s)", export.kind, export.obj, export.language)
        raise PdfUnavailable(str(error)) from error


def pdf_bytes(export):
    """The PDF of ``export`` as bytes: from the cache, or rendered afresh for a preview."""
    if export.preview:
        return _render_preview(export)
    return cached_pdf(export).path.read_bytes()


# Responses ------------------------------------------------------------------------------------


def _etag(export, version):
    return quote_etag(f"{export.kind}-{export.obj.pk}-{export.language}-v{version}")


def _unavailable(request, export):
    response = render(request, "pdf/unavailable.html", {"forum": export.forum, "export": export}, status=503)
    response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def pdf_response(request, export):
    """Serve ``export`` inline, with ETag and Last-Modified, or 304 when the visitor has it."""
    if export.preview:
        try:
            data = _render_preview(export)
        except PdfUnavailable:
            return _unavailable(request, export)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{export.filename}"'
        response["Cache-Control"] = "private, no-store"
        patch_vary_headers(response, ["Cookie"])
        return response

    version = programme_version()
    not_modified = get_conditional_response(request, etag=_etag(export, version))
    if not_modified is not None and not_modified.status_code == 304:
        response = not_modified
    else:
        try:
            cached = cached_pdf(export, version=version, lock_timeout=REQUEST_LOCK_TIMEOUT)
        except PdfUnavailable:
            return _unavailable(request, export)
        etag = _etag(export, cached.version)
        modified = cached.path.stat().st_mtime
        response = get_conditional_response(request, etag=etag, last_modified=int(modified))
        if response is None:
            response = FileResponse(cached.path.open("rb"), content_type="application/pdf", filename=export.filename)
            response["Content-Disposition"] = f'inline; filename="{export.filename}"'
        response["ETag"] = etag
        response["Last-Modified"] = http_date(modified)
        if cached.stale:
            response["Warning"] = '110 - "Response is stale"'
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ["Cookie"])
    return response


def download_response(exports):
    """One PDF as an attachment, or several PDFs in a ZIP file (for the admin's actions)."""
    if len(exports) == 1:
        export = exports[0]
        response = HttpResponse(pdf_bytes(export), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for export in exports:
            archive.writestr(export.filename, pdf_bytes(export))
    stamp = datetime.date.today().isoformat()
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="programme-pdfs-{stamp}.zip"'
    return response
