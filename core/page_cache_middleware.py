"""Answer anonymous requests for cached pages and PDFs before any view work (see ``core.page_cache``).

Two middlewares share the work:

- ``ReplayPageCacheMiddleware`` stands first of all. A visitor with no cookie but the language's or
  the CSRF token's, asking (GET or HEAD) for an address whose answer is stored for the current
  programme version, gets that answer replayed: its body (or file) and the very headers it left the
  portal with, in their order, kept the first time it went out (``keep_final``). No other middleware
  runs, so nothing is built per request but the response object.
- ``EarlyPageCacheMiddleware`` sits after the middlewares that give every response its headers
  (security, CSP, language, length, X-Frame-Options) and after the star buttons' middleware. It
  answers the other visitors without a session (a visitor with starred sessions, say) from the
  stored page or PDF, before the address is resolved: the middlewares above add their headers, and
  the visitor's own stars.

Anything else, or a failure here (no cache, no database), goes on the normal path.
"""

import logging

from django.core.exceptions import DisallowedHost

from core.outage import log_outage

from .page_cache import early_response, is_early_candidate
from .page_replay import is_replay_candidate, keep_final, replayed_response

logger = logging.getLogger(__name__)


class ReplayPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not is_replay_candidate(request):
            return self.get_response(request)
        try:
            response = replayed_response(request)
        except DisallowedHost:  # the normal path answers 400
            response = None
        except Exception as error:  # the normal path decides (a 503 page without its database, say)
            log_outage(logger, "early-page-cache", "Replayed page cache skipped (%r).", error)
            response = None
        if response is not None:
            return response
        request._page_cache_replay = True  # what the page cache stores waits for keep_final
        response = self.get_response(request)
        try:
            keep_final(request, response)
        except Exception as error:  # the answer goes out all the same
            log_outage(logger, "early-page-cache", "Replayed page cache not kept (%r).", error)
        return response


class EarlyPageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_early_candidate(request):
            try:
                response = early_response(request)
            except Exception as error:  # the normal path decides (a 503 page without its database, say)
                log_outage(logger, "early-page-cache", "Early page cache skipped (%r).", error)
                response = None
            if response is not None:
                return response
        return self.get_response(request)
