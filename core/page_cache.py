"""Whole-page caching of the public pages, calendars and programme files, for anonymous visitors.

A response is stored under its address (scheme, host, path), the query parameters its view reads,
the active language and the programme version (``core.programme_version.programme_version``). Any change
to what the public sees bumps the version, so the next visitor gets a freshly made page from any
process, and old entries simply expire. Checking the version is the one query a cached page costs.

Query parameters: each view declares the ones it reads, ``cache_public_page(view, params=("p",))``;
by default none. Any other parameter is ignored: it is removed from the request before the view
runs, so ``programme/?x=1`` is answered with the very page of ``programme/`` (also the links in it,
which are built from the request's address) and shares its cache entry. Adding junk to an address
therefore never makes a new entry.

What the cache may hold is bounded: an entry lives ``PAGE_CACHE_TIMEOUT`` seconds at most, and a
response larger than ``PAGE_CACHE_MAX_ENTRY_BYTES`` is served but not stored. The backend bounds the
rest (``MAX_ENTRIES`` for the local-memory cache; ``maxmemory`` with an LRU policy for Redis, see the
README).

A cache that fails (Redis unreachable) never fails the page: it reads as a miss and the page is made
anew; the failure is logged at most once a minute. (With Redis, ``core.cache_backends`` already
turns an outage into misses for every user of the cache; this covers any other failure of a backend.)

Signed-in users (staff preview drafts) never read or fill the cache, and their pages are marked
private so that no proxy keeps them either.

Early answers: ``core.page_cache_middleware`` answers an anonymous GET or HEAD (no session cookie)
from a stored entry before the address is resolved and a view runs, with the very headers the
view's path gives (``early_response``). It looks the entry up under the request's own query
string, used only when it is already in canonical form: an entry exists for an address only if its
view stored it, with exactly the parameters it reads, so a hit there is the page the view would
give; anything else (junk or reordered parameters, a miss) takes the normal path. Storing an entry
also notes, under a key without the version, the version it was stored at: an address with no such
note (never cached, or a page no cache holds) goes on at the cost of one cache read, without reading
the programme version; the version read is kept on the request for the view's own look-up. Stored programme
PDFs are entries too (``store_file``): their path on disk and headers, served as a file.

Replayed answers, headers and all, for visitors without cookies: see ``core.page_replay``.
"""

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import FileResponse, HttpResponse, QueryDict
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language

from core.outage import log_outage

from .programme_version import programme_version

logger = logging.getLogger(__name__)

# Browsers and proxies may keep a page but must ask again before showing it (a 304 when it has not
# changed): a session taken back to draft is gone at the very next visit, not a minute later.
BROWSER_CACHE_CONTROL = "public, no-cache"
# The view's headers an entry keeps, in the order the view's response has them, so that an answer made
# from the entry lists them as the view's own answer does; a file's entry keeps its Content-Length too.
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "X-Robots-Tag", "Content-Disposition", "Cache-Control", "Vary")
_KEPT = {name.lower() for name in KEPT_HEADERS}
_KEPT_FOR_FILES = {*_KEPT, "content-length"}


def _kept_headers(response, kept=_KEPT):
    return {name: value for name, value in response.items() if name.lower() in kept}


def canonical_query(request, params):
    """The request's query string reduced to ``params`` (each with all its values), in a fixed order."""
    kept = QueryDict(mutable=True)
    for name in sorted(params):
        values = request.GET.getlist(name)
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def _digest(request, query):
    address = f"{request.scheme}://{request.get_host()}{request.path}" + (f"?{query}" if query else "")
    return hashlib.sha256(address.encode()).hexdigest()


def _address_digest(request, params):
    return _digest(request, canonical_query(request, params))


def _entry_key(version, language, digest):
    return f"page:v{version}:{language}:{digest}"


def _note_key(language, digest):
    return f"page-stored:{language}:{digest}"


def page_cache_key(request, *, version, params=()):
    """The entry of this address, language and version; only the query parameters in ``params`` count."""
    return _entry_key(version, get_language(), _address_digest(request, params))


def _marker_key(request, params=()):
    """The note, for the early path, of the version this address and language were last stored at."""
    return _note_key(get_language(), _address_digest(request, params))


def _request_version(request):
    """The programme version, read once per request (the early path may have read it already)."""
    version = getattr(request, "_page_cache_version", None)
    if version is None:
        version = request._page_cache_version = programme_version()
    return version


def _keep_only(request, params):
    """Drop the query parameters the view does not read, so that the page made is the clean address's page."""
    query = canonical_query(request, params)
    if query != request.META.get("QUERY_STRING", ""):
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


def _is_cacheable_request(request):
    return request.method in {"GET", "HEAD"} and not request.user.is_authenticated


def _is_storable(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # A page that embeds a CSRF token belongs to one visitor.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not response.has_header("Cache-Control")  # the view decided for itself
    )


def _public_headers(response):
    response["Cache-Control"] = BROWSER_CACHE_CONTROL
    patch_vary_headers(response, ["Cookie"])
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'


def _from_entry(entry):
    """The response stored in ``entry``: a page's content, or a file on disk (a PDF); None if the file is gone."""
    if "file" in entry:
        return _file_response(entry["file"], entry["headers"])
    return HttpResponse(entry["content"], headers=entry["headers"])


def _file_response(path, headers):
    """The file at ``path`` with ``headers``, in their order; None if the file is gone."""
    try:
        response = FileResponse(open(path, "rb"), headers=headers)  # noqa: SIM115 (closed by the response)
    except OSError:  # removed since (an older version's file): the view serves the current one
        return None
    for name, value in headers.items():  # the file's own name and size replaced by the stored ones, in place
        response[name] = value
    return response


def _conditional(request, response):
    """``response``, or a 304 when the visitor's copy (If-None-Match, If-Modified-Since) is current."""
    last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
    return get_conditional_response(request, etag=response["ETag"], last_modified=last_modified, response=response)


def _cache_get(key):
    try:
        return cache.get(key)
    except Exception as error:  # whatever the backend raises, the page is made as if nothing were cached
        log_outage(logger, "page-cache", "Page cache read failed (%r); pages are made without it.", error)
        return None


def _cache_set(key, entry, timeout=None):
    try:
        cache.set(key, entry, settings.PAGE_CACHE_TIMEOUT if timeout is None else timeout)
    except Exception as error:  # the page is served all the same, uncached
        log_outage(logger, "page-cache", "Page cache write failed (%r); pages are served uncached.", error)


def cache_public_page(view=None, *, params=()):
    """Cache ``view``'s successful GET/HEAD responses for anonymous visitors (see the module docstring).

    ``params`` names the query parameters the view reads; the others are ignored. Use it as
    ``cache_public_page(view)``, ``cache_public_page(view, params=("p",))`` or as a decorator.
    """
    if view is None:
        return lambda view: cache_public_page(view, params=params)
    params = tuple(params)

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.PAGE_CACHE:
            return view(request, *args, **kwargs)
        if not _is_cacheable_request(request):
            response = view(request, *args, **kwargs)
            if request.user.is_authenticated:
                add_never_cache_headers(response)
                patch_vary_headers(response, ["Cookie"])
            return response

        _keep_only(request, params)
        version = _request_version(request)
        key = page_cache_key(request, version=version, params=params)
        entry = _cache_get(key)
        response = _from_entry(entry) if entry is not None else None
        if response is None:
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
            if not _is_storable(request, response):
                return response
            _public_headers(response)
            if len(response.content) > settings.PAGE_CACHE_MAX_ENTRY_BYTES:
                return _conditional(request, response)
            _store(request, key, {"content": response.content, "headers": _kept_headers(response)}, version, params)
        else:
            request._page_cache_entry = (key, entry, None)
        return _conditional(request, response)

    wrapped.cache_params = params
    return wrapped


def _store(request, key, entry, version, params=()):
    """Store ``entry`` and note its version for the early paths. When the replaying middleware sees the
    answer go out (``keep_final``), both writes wait for it: the entry is written once, with that answer."""
    entry["expires"] = time.time() + settings.PAGE_CACHE_TIMEOUT
    note = (_marker_key(request, params), version)
    if getattr(request, "_page_cache_replay", False):
        request._page_cache_entry = (key, entry, note)
    else:
        _cache_set(key, entry)
        _cache_set(*note)
        request._page_cache_entry = (key, entry, None)


def is_early_candidate(request):
    """A request the early path may answer: the cache on, GET or HEAD, and no session (so anonymous)."""
    return (
        settings.PAGE_CACHE
        and request.method in {"GET", "HEAD"}
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def early_response(request):
    """The stored answer for ``request`` (a page or a file, maybe a 304), or None to take the normal path.

    Only for ``is_early_candidate`` requests, with the language already active. The entry is looked
    up under the request's query string as it is, when that is in canonical form (see the module
    docstring); no address is resolved and no view runs.
    """
    raw_query = request.META.get("QUERY_STRING", "")
    names = request.GET.keys()
    if canonical_query(request, names) != raw_query:
        return None
    # An address never stored (a page not cached, a form, the agenda) costs one cache read, no query.
    stored_at = _cache_get(_marker_key(request, names))
    if stored_at is None or stored_at != _request_version(request):
        return None
    key = page_cache_key(request, version=stored_at, params=names)
    entry = _cache_get(key)
    response = _from_entry(entry) if entry is not None else None
    if response is None:
        return None
    request._page_cache_entry = (key, entry, None)
    return _conditional(request, response)


def store_file(request, response, path, *, version):
    """Keep ``response`` (a public file served whole from ``path``, made at ``version``) for the early path.

    Only for anonymous GET/HEAD requests with the cache on, and only its headers and the file's
    path are stored: the file itself stays on disk.
    """
    if not settings.PAGE_CACHE or not _is_cacheable_request(request) or response.status_code != 200:
        return
    entry = {"file": str(path), "headers": _kept_headers(response, _KEPT_FOR_FILES)}
    _store(request, page_cache_key(request, version=version), entry, version)
