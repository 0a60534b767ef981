"""The HTTP answers for programme PDFs: from the disk cache, stale meanwhile, or "being prepared".

A request never lays out a public PDF. For one whose current version is not on disk it queues the
render (``tasks.queue_render``: coalesced with one already waiting) and gets the newest earlier
file, marked stale (``Warning: 110``); with none, it waits up to ``REQUEST_WAIT`` seconds for the
worker (enough for a handout), then gets a 503 page saying the PDF is being prepared, with
``Retry-After``. After a failed render, requests get the last good file, or with none a page
saying the PDF could not be produced, and queue the render again only after
``store.FAILED_RETRY_AFTER`` seconds.

A public PDF served whole is also noted in the page cache (``core.page_cache.store_file``: its
path and headers, for this programme version), so that the next anonymous request for its address
is answered with the file before any view work, with the same headers.

Staff previews (a draft forum, or draft sessions in the chosen scope) are never cached, so an
unpublished session cannot reach a public PDF; they are rendered for the request, and only up to
``PREVIEW_MAX_SESSIONS`` sessions (a few seconds), so a draft booklet is previewed a roundtable
at a time. The admin's download actions get one PDF as an attachment, or several in a ZIP file.
"""

import datetime
import io
import logging
import time
import zipfile

from django.http import FileResponse, HttpResponse
from django.shortcuts import render as render_page
from django.utils.cache import get_conditional_response, patch_vary_headers, quote_etag
from django.utils.http import http_date

from core.page_cache import store_file
from core.programme_version import programme_version

from ..models import Session
from . import render, store, tasks
from .content import BOOKLET, SESSION, PdfUnavailable

logger = logging.getLogger(__name__)

# A request never renders a public PDF: it waits this long at most for the worker to write one that
# has no earlier version on disk (a handout takes about a second), then answers 503.
REQUEST_WAIT = 3
WAIT_STEP = 0.1  # seconds between two looks at the disk while waiting
RETRY_AFTER = 15  # seconds, suggested to clients while a PDF is being prepared
STALE_WARNING = '110 - "Response is stale"'
PREVIEW_MAX_SESSIONS = 40  # a staff preview of more sessions than this takes too long to render in a request


class PdfNotReady(PdfUnavailable):
    """The PDF is queued, or being rendered by the worker, and no earlier version is on disk."""


class PreviewTooLarge(PdfUnavailable):
    """A preview of drafts holds too many sessions to be rendered during a request."""

    def __init__(self, sessions):
        super().__init__(f"A preview of {sessions} sessions is larger than {PREVIEW_MAX_SESSIONS}.")
        self.sessions = sessions


# The file to serve ----------------------------------------------------------------------------


def ready_pdf(export, *, version, wait=None, stale_ok=True):
    """The file to serve for ``export`` at programme ``version``, without rendering it here.

    The PDF of ``version`` if it is on disk. Otherwise its render is queued for the worker
    (``tasks.queue_render``: cheap, and coalesced with a render already pending), unless that
    render failed a moment ago; then the newest earlier file is returned, marked stale. With no
    earlier file (or ``stale_ok`` false) the caller waits up to ``wait`` seconds for the worker to
    write it; by default ``REQUEST_WAIT`` (enough for a handout or a small booklet) if this call
    queued the render, else not at all: a request that finds the render already pending has the
    "being prepared" page at once, so a large booklet ties up no web worker. Then PdfNotReady, or
    store.RenderFailed if the worker's render failed.
    """
    path = store.path_of(export, version)
    if path.exists():
        return store.CachedPdf(path, version)
    failed = store.failed_recently(export, version)
    queued = False
    if not failed:
        queued = tasks.queue_render(export, requested=True)
        if path.exists():  # a backend that runs tasks at once (the tests'), or the worker was quick
            return store.CachedPdf(path, version)
        failed = store.failed_recently(export, version)
    earlier = store.newest_on_disk(export) if stale_ok else None
    if earlier is not None:
        return earlier
    if wait is None:
        wait = REQUEST_WAIT if queued else 0
    deadline = time.monotonic() + wait
    while not failed:
        if path.exists():
            return store.CachedPdf(path, version)
        if time.monotonic() >= deadline:
            raise PdfNotReady(f"The {export.kind} PDF of {export.obj} ({export.language}, v{version}) is queued.")
        time.sleep(WAIT_STEP)
        failed = store.failed_recently(export, version)
    raise store.RenderFailed(
        f"The {export.kind} PDF of {export.obj} ({export.language}, v{version}) could not be rendered."
    )


# Previews (staff, drafts shown): rendered for the request, so bounded -----------------------------


def _preview_sessions(export):
    if export.kind == SESSION:
        return 1
    sessions = Session.objects.filter(roundtable__forum=export.obj) if export.kind == BOOKLET else export.obj.sessions
    return sessions.count()


def _render_preview(export):
    try:
        return render.render_pdf(export)
    except Exception as error:
        logger.exception("Could not render the preview %s PDF of %s (%s)", export.kind, export.obj, export.language)
        raise store.RenderFailed(str(error)) from error


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
    response = render_page(request, "pdf/unavailable.html", context, status=503)
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
    etag = _etag(export, version)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None and not_modified.status_code == 304:  # the visitor has the current file
        try:
            modified = store.path_of(export, version).stat().st_mtime
        except OSError:
            modified = None
        return _not_modified(not_modified, etag=etag, modified=modified)
    try:
        cached = ready_pdf(export, version=version)
    except PdfUnavailable as problem:
        return _unavailable(request, export, problem)
    etag = _etag(export, cached.version)
    modified = cached.path.stat().st_mtime
    response = get_conditional_response(request, etag=etag, last_modified=int(modified))
    if response is not None and response.status_code == 304:
        return _not_modified(response, etag=etag, modified=modified, stale=cached.stale)
    if response is None:
        response = FileResponse(cached.path.open("rb"), content_type="application/pdf", filename=export.filename)
        response["Content-Disposition"] = f'inline; filename="{export.filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    if cached.stale:
        response["Warning"] = STALE_WARNING
    response["Cache-Control"] = "no-cache"
    patch_vary_headers(response, ["Cookie"])
    if response.status_code == 200 and not cached.stale:
        # The next anonymous request for this address is answered from the file before any view work.
        store_file(request, response, cached.path, version=version)
    return response


def _not_modified(response, *, etag, modified, stale=False):
    """The 304 ``response`` with its headers in the order of one made from the file's 200 answer
    (``django.utils.cache``), as the page cache's early answers make it: Cache-Control, ETag,
    Last-Modified, then Vary."""
    response["Cache-Control"] = "no-cache"
    response["ETag"] = etag
    if modified is not None:
        response["Last-Modified"] = http_date(modified)
    if stale:
        response["Warning"] = STALE_WARNING
    patch_vary_headers(response, ["Cookie"])
    return response


def download_response(exports):
    """One PDF as an attachment, or several PDFs in a ZIP file (the admin's download actions).

    Public PDFs come from the cache: the renders missing are all queued first, then they get
    ``REQUEST_WAIT`` seconds together. Previews are rendered here, up to ``PREVIEW_MAX_SESSIONS``
    sessions in all. Raises PdfUnavailable (PdfNotReady while the worker is still at work).
    """
    _check_preview_size([export for export in exports if export.preview])
    version = programme_version()
    for export in exports:
        if not export.preview and not store.is_current(export, version) and not store.failed_recently(export, version):
            tasks.queue_render(export, requested=True)
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
