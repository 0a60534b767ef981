"""Whole-page caching of the public pages, for anonymous visitors.

A page is stored under its absolute address, the active language and the programme version
(``roundtables.cache.programme_version``). Any change to the programme bumps the version, so the
next visitor gets a freshly made page from any process, and old entries simply expire. Checking
the version is the one query a cached page costs.

Signed-in users (staff preview drafts) never read or fill the cache, and their pages are marked
private so that no proxy keeps them either.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_vary_headers
from django.utils.http import parse_http_date_safe
from django.utils.translation import get_language

from .cache import programme_version

PAGE_CACHE_TIMEOUT = 24 * 60 * 60  # entries of older versions are never read again; this bounds memory
BROWSER_MAX_AGE = 60  # seconds a browser or proxy may show a page without asking again
KEPT_HEADERS = ("Content-Type", "ETag", "Last-Modified", "X-Robots-Tag", "Content-Disposition")


def page_cache_key(request, *, version):
    address = request.build_absolute_uri()  # host and query string included
    digest = hashlib.sha256(address.encode()).hexdigest()
    return f"page:v{version}:{get_language()}:{digest}"


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
    response["Cache-Control"] = f"public, max-age={BROWSER_MAX_AGE}"
    patch_vary_headers(response, ["Cookie"])
    if not response.has_header("ETag"):
        response["ETag"] = f'"{hashlib.md5(response.content, usedforsecurity=False).hexdigest()}"'


def _from_entry(entry):
    response = HttpResponse(entry["content"], status=200)
    for name, value in entry["headers"].items():
        response[name] = value
    return response


def cache_public_page(view):
    """Cache ``view``'s successful GET/HEAD responses for anonymous visitors (see the module docstring)."""

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

        key = page_cache_key(request, version=programme_version())
        entry = cache.get(key)
        if entry is not None:
            response = _from_entry(entry)
        else:
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
            if not _is_storable(request, response):
                return response
            _public_headers(response)
            headers = {name: response[name] for name in (*KEPT_HEADERS, "Cache-Control", "Vary") if name in response}
            cache.set(key, {"content": response.content, "headers": headers}, PAGE_CACHE_TIMEOUT)
        last_modified = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(request, etag=response["ETag"], last_modified=last_modified, response=response)

    return wrapped
