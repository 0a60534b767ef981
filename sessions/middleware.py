"""Star buttons that show the visitor's own agenda, on pages cached for everyone (see ``sessions.agenda``)."""

import logging

from django.db import DatabaseError
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_vary_headers

from . import agenda, selectors

logger = logging.getLogger(__name__)


def _has_star_forms(response):
    return (
        response.status_code == 200
        and not response.streaming
        and response.get("Content-Type", "").startswith("text/html")
        and agenda.STAR_FORM_MARKER in response.content
    )


def _clash_notice(request, starred, page):
    """(session id, warning HTML) after a star added without JavaScript that clashes, or None."""
    value = request.COOKIES.get(agenda.CLASH_NOTICE_COOKIE, "")
    if not agenda.is_session_id(value) or int(value) not in starred:
        return None
    session_id = int(value)
    if f'id="{agenda.star_anchor(session_id)}"'.encode() not in page:
        return None
    try:
        sessions = selectors.sessions_for_clash_check(ids=list(starred), user=request.user)
    except DatabaseError as error:  # the page is served all the same, without the warning
        logger.warning("Clash warning left out: %r", error)
        return None
    clashes = agenda.clashes_with(session_id, sessions)
    if not clashes:
        return None
    html = agenda.clash_notice_html(session_id=session_id, clashes=clashes, agenda_url=reverse("sessions:agenda"))
    return session_id, str(html).encode()


class AgendaStarsMiddleware:
    """Marks the visitor's starred sessions on every page with star buttons, from the ``agenda`` cookie.

    The page itself (maybe from the page cache) is the same for everyone; this switches the buttons
    of starred sessions to "Remove from my agenda", adds the clash warning a star added without
    JavaScript asked for, and gives the page an ETag of its own, so a browser revalidates the page
    it holds (a 304 when neither the page nor the stars on it changed). Other responses pass as
    they are.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in {"GET", "HEAD"} or not _has_star_forms(response):
            return response
        starred = set(agenda.agenda_ids_from_request(request))
        notice = _clash_notice(request, starred, response.content) if starred else None
        if agenda.CLASH_NOTICE_COOKIE in request.COOKIES:
            response.delete_cookie(agenda.CLASH_NOTICE_COOKIE, path="/", samesite="Lax")  # shown once
        marked = []
        if starred or notice:
            content, marked = agenda.stars_mark(response.content, starred=starred, notice=notice)
            if marked:
                response.content = content
                if response.has_header("Content-Length"):
                    response["Content-Length"] = str(len(content))
        if (marked or notice) and response.has_header("Cache-Control"):
            # This page is the visitor's own now; the shared one stays in the page cache.
            response["Cache-Control"] = response["Cache-Control"].replace("public", "private")
        if not response.has_header("ETag"):
            return response  # not a page the page cache serves (a signed-in user's, say)
        patch_vary_headers(response, ["Cookie"])
        response["ETag"] = agenda.stars_etag(response["ETag"], marked, notice[1].decode() if notice else "")
        if response.has_header("Last-Modified"):
            del response["Last-Modified"]  # the ETag tells this page from the shared one; a date cannot
        return get_conditional_response(request, etag=response["ETag"], response=response)
