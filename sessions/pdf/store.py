"""The public PDFs on disk: where each one lives, whether it is current, and writing it safely.

Files live under ``MEDIA_ROOT/pdf-cache/``, so every worker and every server sharing the media
storage shares them. The cache key is the directory ``<kind>-<pk>/<language>/`` (``directory_of``)
and the file name ``v<programme version>.pdf``: a French request never gets the English file, and
a change to the programme, which bumps ``programme_version()``, makes the files on disk stale.

A renderer holds the render lock of the PDF's directory (``render_lock``: an exclusive file lock,
``filelock``), so two renderers (two queue workers, or a worker and ``render_booklets``) never
lay out the same PDF twice: the second waits, then finds the file. A file is written under a
temporary name and moved into place with ``os.replace``, so readers see the old file or the whole
new one; a failed render leaves the last good file, and a marker that keeps requests from
queueing the same failing render over and over for ``FAILED_RETRY_AFTER`` seconds.

Previews of unpublished content are never stored here.
"""

import contextlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from filelock import FileLock

from core.programme_version import programme_version

from . import render
from .content import KINDS, PdfUnavailable

logger = logging.getLogger(__name__)

CACHE_DIR_NAME = "pdf-cache"
LOCK_TIMEOUT = 15 * 60  # seconds a renderer waits for another one's render of the same PDF before giving up
FAILED_RETRY_AFTER = 10 * 60  # seconds after a failed render before a request queues it again


class RenderFailed(PdfUnavailable):
    """The render failed (and, for a request, no earlier version is on disk)."""


@dataclass(frozen=True)
class CachedPdf:
    path: Path
    version: int
    stale: bool = False
    rendered: bool = False  # this call rendered it (else it was on disk, or another process rendered it)


# Where the files are ---------------------------------------------------------------------------


def cache_root():
    return Path(settings.MEDIA_ROOT) / CACHE_DIR_NAME


def directory_of(export):
    """The directory of ``export``'s files: its kind, its record and its language."""
    return cache_root() / f"{export.kind}-{export.obj.pk}" / export.language


def path_of(export, version):
    """Where the PDF of ``export`` for programme ``version`` is (or will be) on disk."""
    return directory_of(export) / f"v{version}.pdf"


def version_of(path):
    return int(path.stem.removeprefix("v"))


def _cached_versions(directory):
    """The complete PDFs in ``directory``, newest version first."""
    return sorted((path for path in directory.glob("v*.pdf") if path.stem[1:].isdigit()), key=version_of, reverse=True)


def newest_on_disk(export):
    """The newest PDF of ``export`` on disk, whatever its version, as a CachedPdf marked stale; or None."""
    newest = next(iter(_cached_versions(directory_of(export))), None)
    return None if newest is None else CachedPdf(newest, version_of(newest), stale=True)


def cached_exports():
    """The (kind, pk, language) of every PDF directory in the disk cache."""
    root = cache_root()
    if not root.is_dir():
        return []
    found = []
    for directory in root.iterdir():
        kind, _, pk = directory.name.rpartition("-")
        if kind not in KINDS or not pk.isdigit():
            continue
        found += [(kind, int(pk), language.name) for language in directory.iterdir() if language.is_dir()]
    return found


def is_current(export, version):
    """Whether the PDF of ``export`` for programme ``version`` is on disk."""
    return path_of(export, version).exists()


def _failure_marker(directory, version):
    return directory / f"v{version}.failed"


def failed_recently(export, version):
    """Whether the render of ``export`` for ``version`` failed less than ``FAILED_RETRY_AFTER`` seconds ago."""
    try:
        failed_at = _failure_marker(directory_of(export), version).stat().st_mtime
    except FileNotFoundError:
        return False
    return time.time() - failed_at < FAILED_RETRY_AFTER


# Writing them ---------------------------------------------------------------------------------


@contextlib.contextmanager
def render_lock(directory, timeout=LOCK_TIMEOUT):
    """Hold the exclusive lock on ``directory``'s renders, across threads, processes and servers.

    A file lock (``flock`` on ``<directory>/.lock``) belongs to its open file, so two renderers
    exclude each other, also two threads of one process, and the lock goes with a renderer that
    dies. Raises ``TimeoutError`` after ``timeout`` seconds of waiting.
    """
    directory.mkdir(parents=True, exist_ok=True)
    with FileLock(directory / ".lock", timeout=timeout, poll_interval=0.05):
        yield


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
    directory = directory_of(export)
    path = path_of(export, version)
    if path.exists():
        return CachedPdf(path, version)
    rendered = False
    try:
        with render_lock(directory, timeout=lock_timeout):
            if not path.exists():  # another renderer may have made it while we waited
                started = time.perf_counter()
                _write_atomically(path, render.render_pdf(export))
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
        if version_of(older) < version:
            older.unlink(missing_ok=True)
    for marker in directory.glob("v*.failed"):
        if marker.stem[1:].isdigit() and int(marker.stem[1:]) <= version:
            marker.unlink(missing_ok=True)
    abandoned = time.time() - 2 * LOCK_TIMEOUT
    for temporary in directory.glob(".render-*.tmp"):
        with contextlib.suppress(FileNotFoundError):
            if temporary.stat().st_mtime < abandoned:
                temporary.unlink()
