"""Outages of the services the portal depends on: what a visitor sees, and what the log says.

- Database: ``DatabaseUnavailableMiddleware`` answers a page whose view could not reach the database
  (``OperationalError``, ``InterfaceError``) with the site's "temporarily unavailable" page
  (``templates/503.html``), status 503 and ``Retry-After``, instead of a generic server error.
- Cache: see ``core.cache_backends``; pages are then made without it.

Each kind of outage is logged at most once a minute per process (``log_outage``), so that a down
service does not flood the log with one line per request.
"""

import logging
import threading
import time

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

LOG_INTERVAL_SECONDS = 60
RETRY_AFTER_SECONDS = 30  # what a 503 asks browsers and crawlers to wait before trying again

_log_lock = threading.Lock()
_last_logged = {}


def log_outage(log, kind, message, *args):
    """Log ``message`` at ERROR unless an outage of this ``kind`` was logged less than a minute ago."""
    now = time.monotonic()
    with _log_lock:
        last = _last_logged.get(kind)
        if last is not None and now - last < LOG_INTERVAL_SECONDS:
            return False
        _last_logged[kind] = now
    log.error(message, *args)
    return True


def unavailable_response(request):
    """The site's 503 page. Rendered without context processors, so it never touches the database."""
    try:
        body = render_to_string("503.html", {"request": request})
        content_type = "text/html; charset=utf-8"
    except Exception:  # the page must go out whatever else is broken
        logger.exception("Could not render the 503 page")
        body = "The programme is temporarily unavailable. Please try again in a minute."
        content_type = "text/plain; charset=utf-8"
    response = HttpResponse(body, status=503, content_type=content_type)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with ``Retry-After`` (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        log_outage(
            logger,
            "database",
            "Database unavailable (%s: %s) at %s; answering 503.",
            type(exception).__name__,
            exception,
            request.path,
        )
        return unavailable_response(request)
