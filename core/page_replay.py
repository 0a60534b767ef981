"""Answers replayed as they first left the portal, for visitors without cookies (see ``core.page_cache``).

Most visitors carry no cookie at all, or only the language's or the CSRF token's, which change
nothing in a stored answer but its language. For them the answer is the same every time, headers
included, so the middleware standing first of all (``replayed_response``) gives back the answer as it
first left the portal: the entry keeps, beside the view's own headers, the final ones in their order
(``keep_final``: Content-Security-Policy, Content-Language, Vary, ETag, Content-Length...), and its
304. The language is found as the language middleware finds it; no other middleware runs. The entry
is written once when a replayable request stores it (the writes wait for the answer to leave). The
version check is the early path's, so a committed change is seen at the next request, by any
process. Final headers are kept as Django's header mapping and handed to the response whole: each
cache read gives a fresh copy of it.
"""

import time

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.http.response import ResponseHeaders
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language_from_request

from .page_cache import _cache_get, _cache_set, _digest, _entry_key, _note_key, _request_version, canonical_query

_CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")


def is_replay_candidate(request):
    """A request ``replayed_response`` may answer: the cache on, GET or HEAD, not a static file, and no
    cookie but the language's and the CSRF token's (which change nothing in a stored answer but its
    language), so no session and no personal marks such as the visitor's stars."""
    if not settings.PAGE_CACHE or request.method not in {"GET", "HEAD"}:
        return False
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():  # the security middleware redirects it
        return False
    if settings.STATIC_URL.startswith("/") and request.path_info.startswith(settings.STATIC_URL):
        return False
    if "HTTP_COOKIE" not in request.META:
        return True
    return request.COOKIES.keys() <= {settings.LANGUAGE_COOKIE_NAME, settings.CSRF_COOKIE_NAME}


def replayed_response(request):
    """The answer that left the portal for this address, language and version (``keep_final``), or None.

    Only for ``is_replay_candidate`` requests, before any other middleware: the language is found as
    the language middleware finds it, the entry under the request's query string when that is in
    canonical form (see the module docstring), and the stored headers are given back as they were,
    in their order. A 304 is replayed once one was given for the entry; other conditional requests
    take the normal path.
    """
    query = request.META.get("QUERY_STRING", "")
    if query and canonical_query(request, request.GET.keys()) != query:
        return None
    language = get_language_from_request(request, check_path=True)
    digest = _digest(request, query)
    stored_at = _cache_get(_note_key(language, digest))
    if stored_at is None:
        return None
    version = _request_version(request)
    if stored_at != version:
        return None
    entry = _cache_get(_entry_key(version, language, digest))
    if entry is None or "final" not in entry:
        return None
    if any(name in request.META for name in _CONDITIONS):
        verdict = get_conditional_response(request, etag=entry["final_etag"], last_modified=entry["final_modified"])
        if verdict is not None:
            if verdict.status_code != 304 or "final_304" not in entry:
                return None
            response = HttpResponseNotModified()
            response.headers = entry["final_304"]
            return response
    if "file" in entry:
        try:
            response = _StoredFileResponse(open(entry["file"], "rb"))  # noqa: SIM115 (closed by the response)
        except OSError:
            return None
    else:
        response = HttpResponse(entry["content"])
    response.headers = entry["final"]
    return response


class _StoredFileResponse(FileResponse):
    """A file sent whole, whose headers are all given afterwards: none worked out from the file."""

    def set_headers(self, filelike):
        pass


def keep_final(request, response):
    """Write what this request stored, and keep with its entry the answer as it leaves the portal.

    Called by the outermost middleware for ``is_replay_candidate`` requests. A 200 is kept when it is
    the entry's own page or file, unchanged and without cookies; a 304 once a 200 is kept, for its
    ETag. An entry written again keeps its first expiry.
    """
    noted = getattr(request, "_page_cache_entry", None)
    if noted is None:
        return
    key, entry, note = noted
    kept = not response.cookies and _keep_answer(entry, response)
    if note is None and not kept:
        return
    timeout = settings.PAGE_CACHE_TIMEOUT if note else entry.get("expires", 0) - time.time()
    if timeout >= 1:
        _cache_set(key, entry, int(timeout))
        if note is not None:
            _cache_set(*note)


def _keep_answer(entry, response):
    if response.status_code == 200 and "final" not in entry:
        if "file" in entry:
            streamed = getattr(response, "file_to_stream", None)
            if getattr(streamed, "name", None) != entry["file"]:
                return False
        elif response.streaming or response.content != entry["content"]:
            return False
        entry["final"] = ResponseHeaders(dict(response.items()))
        entry["final_etag"] = response.get("ETag")
        entry["final_modified"] = parse_http_date_safe(response.get("Last-Modified", ""))
        return True
    if response.status_code == 304 and "final" in entry and "final_304" not in entry:
        if response.get("ETag") != entry["final_etag"]:
            return False
        entry["final_304"] = ResponseHeaders(dict(response.items()))
        return True
    return False
