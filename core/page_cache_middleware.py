"""Answer anonymous requests for cached pages and PDFs before any view work (see ``core.page_cache``).

A visitor without a session asking (GET or HEAD) for an address whose page or PDF is stored for the
current programme version gets it here: no address resolved, no view, no session or user loaded.
The middleware sits after those that give every response its headers (security, CSP, language,
length, X-Frame-Options) and after the star buttons' middleware, so a cached page still shows the
visitor's own stars, and the answer leaves with the same headers as from the view's path. Anything
else, or a failure here (no cache, no database), goes on the normal path.
"""

import logging

from core.outage import log_outage

from .page_cache import early_response, is_early_candidate

logger = logging.getLogger(__name__)


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
