"""Print-ready PDFs of the programme: the forum's booklet and the roundtable and session handouts.

HTML templates under ``templates/pdf/`` and the paged-media stylesheet ``static/css/pdf.css`` are
laid out by WeasyPrint, with the Noto Sans files shipped in ``static/fonts/`` embedded.

Public PDFs are cached on disk under ``MEDIA_ROOT/pdf-cache/``, one file per (kind, object,
language, programme version), so every worker and every server sharing the media storage shares
them. A change to the programme bumps ``programme_version()``, which makes the files on disk
stale. They are rendered again by the worker of the task queue (``pdf_tasks``: ahead of time for
the booklets and every PDF already asked for, on demand for the others), never by a web request:
a booklet of a few hundred sessions takes tens of seconds to lay out, longer than a web worker may
take (``GUNICORN_TIMEOUT``).

A request for a PDF whose current version is not on disk queues its render (coalesced with one
already waiting) and gets the newest earlier file, marked stale (``Warning: 110``); with none, it
waits up to ``REQUEST_WAIT`` seconds for the worker (enough for a handout), then gets a 503 page
saying the PDF is being prepared, with ``Retry-After``. A renderer holds an exclusive ``flock``
on the PDF's directory, so two renderers never lay out the same file twice; a file is written to a
temporary name and moved into place with ``os.replace``, so a failed render leaves the last good
file, and a marker that stops requests from queueing the same failing render over and over.

Staff previews (a draft forum, or draft sessions in the chosen scope) are never cached, so an
unpublished session cannot reach a public PDF; they are rendered for the request, and only up to
``PREVIEW_MAX_SESSIONS`` sessions (a few seconds), so a draft booklet is previewed a roundtable
at a time.
"""

import contextlib
import datetime
import fcntl
import gc
import io
import logging
import os
import re
import tempfile
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
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

from roundtables.cache import programme_version
from roundtables.changes import programme_as_of
from roundtables.models import ProgrammeStamp, Status
from roundtables.selectors import can_preview, programme_days, session_documents, sessions_for_listing
from roundtables.templatetags.portal import render_markdown

from . import presenters, qr
from .documents import document_files, language_name
from .models import Issue, Session

logger = logging.getLogger(__name__)

CACHE_DIR_NAME = "pdf-cache"
STYLESHEET = "css/pdf.css"
LOCK_TIMEOUT = 15 * 60  # seconds a renderer waits for another one's render of the same PDF before giving up
# A request never renders a public PDF: it waits this long at most for the worker to write one that
# has no earlier version on disk (a handout takes about a second), then answers 503.
REQUEST_WAIT = 3
WAIT_STEP = 0.1  # seconds between two looks at the disk while waiting
RETRY_AFTER = 15  # seconds, suggested to clients while a PDF is being prepared
FAILED_RETRY_AFTER = 10 * 60  # seconds after a failed render before a request queues it again
PREVIEW_MAX_SESSIONS = 40  # a staff preview of more sessions than this takes too long to render in a request

BOOKLET, ROUNDTABLE, SESSION = "booklet", "roundtable", "session"
KINDS = (BOOKLET, ROUNDTABLE, SESSION)


class PdfUnavailable(Exception):
    """No PDF can be served for now."""


class PdfNotReady(PdfUnavailable):
    """The PDF is queued, or being rendered by the worker, and no earlier version is on disk."""


class RenderFailed(PdfUnavailable):
    """The render failed (and, for a request, no earlier version is on disk)."""


class PreviewTooLarge(PdfUnavailable):
    """A preview of drafts holds too many sessions to be rendered during a request."""

    def __init__(self, sessions):
        super().__init__(f"A preview of {sessions} sessions is larger than {PREVIEW_MAX_SESSIONS}.")
        self.sessions = sessions


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
    sessions = session_documents(sessions=sessions, user=export.user if export.preview else None)
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
    """Group a session's people by role and its issues by kind as its page does (``presenters``), in the
    active language (the PDF's), for the templates."""
    session.people_by_role = presenters.people_by_role(session.participations.all())
    session.issue_groups = presenters.issue_groups(session.top_issues)
    for _heading, issues in session.issue_groups:
        for number, issue in enumerate(issues, start=1):
            issue.pdf_text = _list_item(f"{number}.", issue.text)
            issue.pdf_points = [_list_item("•", point.text) for point in issue.points.all()]
    session.theme_list = list(session.themes.all())
    # Its papers and its roundtable's, each with the languages it exists in (named in themselves).
    session.pdf_documents = [
        (document, for_roundtable, [language_name(file.language) for file in document_files(document)])
        for document, for_roundtable in session.documents_shown
    ]


def portal_address(path):
    """The full address of ``path`` on the public portal (``PORTAL_URL``), or "" when it is not known."""
    return f"{settings.PORTAL_URL}{path}" if settings.PORTAL_URL else ""


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
        # Plenaries, breaks and receptions show in the booklet's timetable only ("at a glance").
        roundtable.pdf_sessions = [s for s in sessions if s.roundtable_id == roundtable.pk and s.is_session]
        if roundtable.pdf_sessions and not roundtable.background:  # no rule between heading and first session
            roundtable.pdf_sessions[0].pdf_first = True
    # Each session's page on the portal, printed under its time and room; handouts add a QR code of it.
    for session in sessions:
        session.portal_url = portal_address(session.get_absolute_url())
        if session.portal_url and export.kind != BOOKLET:
            session.portal_qr = qr.qr_svg(session.portal_url, title=_("QR code of this session's page"), scale=2)
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
        "programme_as_of": programme_as_of(forum) if export.kind == BOOKLET and not export.preview else None,
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


def cache_root():
    return Path(settings.MEDIA_ROOT) / CACHE_DIR_NAME


def _cache_directory(export):
    return cache_root() / f"{export.kind}-{export.obj.pk}" / export.language


def _version_of(path):
    return int(path.stem.removeprefix("v"))


def _cached_versions(directory):
    """The complete PDFs in ``directory``, newest version first."""
    return sorted((path for path in directory.glob("v*.pdf") if path.stem[1:].isdigit()), key=_version_of, reverse=True)


def _failure_marker(directory, version):
    return directory / f"v{version}.failed"


def failed_recently(export, version):
    """Whether the render of ``export`` for ``version`` failed less than ``FAILED_RETRY_AFTER`` seconds ago."""
    try:
        failed_at = _failure_marker(_cache_directory(export), version).stat().st_mtime
    except FileNotFoundError:
        return False
    return time.time() - failed_at < FAILED_RETRY_AFTER


def is_current(export, version):
    """Whether the PDF of ``export`` for programme ``version`` is on disk."""
    return (_cache_directory(export) / f"v{version}.pdf").exists()


@contextlib.contextmanager
def render_lock(directory, timeout=LOCK_TIMEOUT):
    """Hold the exclusive lock on ``directory``'s renders, across threads, processes and servers.

    ``flock`` locks belong to the open file, so two renderers (two queue workers, or a worker and
    ``render_booklets``) exclude each other, and the lock goes with a renderer that dies. Raises
    ``TimeoutError`` after ``timeout`` seconds of waiting.
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


def render_into_cache(export, *, version=None, lock_timeout=LOCK_TIMEOUT):
    """Render the PDF of ``export`` for programme ``version`` (default: the current one) unless it is on disk.

    For the queue's worker and ``render_booklets``, never for a web request. The lock makes one
    render serve everybody: a renderer that finds another one at work on the same PDF waits for
    it, then finds the file. A failed render leaves the earlier files as they were (they are
    served meanwhile, marked stale), writes a marker that keeps requests from queueing the same
    render again for ``FAILED_RETRY_AFTER`` seconds, and raises RenderFailed.
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
            if not path.exists():  # another renderer may have made it while we waited
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
        with contextlib.suppress(OSError):
            _failure_marker(directory, version).write_text(f"{type(error).__name__}: {error}\n")
        raise RenderFailed(str(error)) from error
    _remove_leftovers(directory, version)
    return CachedPdf(path, version, rendered=rendered)


def _remove_leftovers(directory, version):
    """Delete the PDFs and failure markers of older versions, and temporary files a killed renderer left."""
    for older in _cached_versions(directory):
        if _version_of(older) < version:
            older.unlink(missing_ok=True)
    for marker in directory.glob("v*.failed"):
        if marker.stem[1:].isdigit() and int(marker.stem[1:]) <= version:
            marker.unlink(missing_ok=True)
    abandoned = time.time() - 2 * LOCK_TIMEOUT
    for temporary in directory.glob(".render-*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if temporary.stat().st_mtime < abandoned:
                temporary.unlink()


def ready_pdf(export, *, version, wait=None, stale_ok=True):
    """The file to serve for ``export`` at programme ``version``, without rendering it here.

    The PDF of ``version`` if it is on disk. Otherwise its render is queued for the worker
    (``pdf_tasks.queue_render``: cheap, and coalesced with a render already pending), unless that
    render failed a moment ago; then the newest earlier file is returned, marked stale. With no
    earlier file (or ``stale_ok`` false) the caller waits up to ``wait`` seconds for the worker to
    write it; by default ``REQUEST_WAIT`` (enough for a handout or a small booklet) if this call
    queued the render, else not at all: a request that finds the render already pending has the
    "being prepared" page at once, so a large booklet ties up no web worker. Then PdfNotReady, or
    RenderFailed if the worker's render failed.
    """
    from . import pdf_tasks  # it imports this module for the renderer, so not at the top

    directory = _cache_directory(export)
    path = directory / f"v{version}.pdf"
    if path.exists():
        return CachedPdf(path, version)
    failed = failed_recently(export, version)
    queued = False
    if not failed:
        queued = pdf_tasks.queue_render(export, requested=True)
        if path.exists():  # a backend that runs tasks at once (the tests'), or the worker was quick
            return CachedPdf(path, version)
        failed = failed_recently(export, version)
    earlier = next(iter(_cached_versions(directory)), None) if stale_ok else None
    if earlier is not None:
        return CachedPdf(earlier, _version_of(earlier), stale=True)
    if wait is None:
        wait = REQUEST_WAIT if queued else 0
    deadline = time.monotonic() + wait
    while not failed:
        if path.exists():
            return CachedPdf(path, version)
        if time.monotonic() >= deadline:
            raise PdfNotReady(f"The {export.kind} PDF of {export.obj} ({export.language}, v{version}) is queued.")
        time.sleep(WAIT_STEP)
        failed = failed_recently(export, version)
    raise RenderFailed(f"The {export.kind} PDF of {export.obj} ({export.language}, v{version}) could not be rendered.")


# Previews (staff, drafts shown): rendered for the request, so bounded -----------------------------


def _preview_sessions(export):
    if export.kind == SESSION:
        return 1
    sessions = Session.objects.filter(roundtable__forum=export.obj) if export.kind == BOOKLET else export.obj.sessions
    return sessions.count()


def _render_preview(export):
    try:
        return render_pdf(export)
    except Exception as error:
        logger.exception("Could not render the preview %s PDF of %s (%s)", export.kind, export.obj, export.language)
        raise RenderFailed(str(error)) from error


def _check_preview_size(previews):
    count = sum(_preview_sessions(export) for export in previews)
    if count > PREVIEW_MAX_SESSIONS:
        raise PreviewTooLarge(count)


def pdf_bytes(export, *, version=None, wait=None):
    """The PDF of ``export`` as bytes for a download: the current cached file, or a small preview rendered afresh."""
    if export.preview:
        _check_preview_size([export])
        return _render_preview(export)
    version = programme_version() if version is None else version
    return ready_pdf(export, version=version, wait=wait, stale_ok=False).path.read_bytes()


# Responses ------------------------------------------------------------------------------------


def _etag(export, version):
    return quote_etag(f"{export.kind}-{export.obj.pk}-{export.language}-v{version}")


def _unavailable(request, export, problem):
    """The 503 page: the PDF is being prepared, its render failed, or a preview is too large to make now."""
    if isinstance(problem, PreviewTooLarge):
        state = "too-large"
    elif isinstance(problem, PdfNotReady):
        state = "preparing"
    else:
        state = "failed"
    context = {
        "forum": export.forum,
        "export": export,
        "state": state,
        "retry_after": RETRY_AFTER,
        "preview_sessions": getattr(problem, "sessions", None),
        "preview_max_sessions": PREVIEW_MAX_SESSIONS,
    }
    response = render(request, "pdf/unavailable.html", context, status=503)
    if state != "too-large":  # waiting will not make a preview smaller
        response["Retry-After"] = str(RETRY_AFTER)
    response["Cache-Control"] = "no-store"
    return response


def pdf_response(request, export):
    """Serve ``export`` inline, with ETag and Last-Modified, or 304 when the visitor has it.

    Public PDFs come from the disk cache only (``ready_pdf``): a request never lays one out.
    """
    if export.preview:
        try:
            data = pdf_bytes(export)
        except PdfUnavailable as problem:
            return _unavailable(request, export, problem)
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
            cached = ready_pdf(export, version=version)
        except PdfUnavailable as problem:
            return _unavailable(request, export, problem)
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
    """One PDF as an attachment, or several PDFs in a ZIP file (for the admin's actions).

    Public PDFs come from the cache: the renders missing are all queued first, then they get
    ``REQUEST_WAIT`` seconds together. Previews are rendered here, up to ``PREVIEW_MAX_SESSIONS``
    sessions in all. Raises PdfUnavailable (PdfNotReady while the worker is still at work).
    """
    from . import pdf_tasks  # it imports this module for the renderer, so not at the top

    _check_preview_size([export for export in exports if export.preview])
    version = programme_version()
    for export in exports:
        if not export.preview and not is_current(export, version) and not failed_recently(export, version):
            pdf_tasks.queue_render(export, requested=True)
    deadline = time.monotonic() + REQUEST_WAIT
    files = [pdf_bytes(export, version=version, wait=max(0, deadline - time.monotonic())) for export in exports]
    if len(exports) == 1:
        response = HttpResponse(files[0], content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{exports[0].filename}"'
        return response
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for export, data in zip(exports, files, strict=True):
            archive.writestr(export.filename, data)
    stamp = datetime.date.today().isoformat()
    response = HttpResponse(buffer.getvalue(), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="programme-pdfs-{stamp}.zip"'
    return response
