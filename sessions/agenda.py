"""My agenda: the sessions a delegate has starred, kept in their browser (no account needed).

The starred session ids live in the ``agenda`` cookie, as ``12-15-40``: positive integers joined by
``-`` (a comma would make Django quote the cookie). The same ids, joined by commas, travel in the
address of the agenda's iCalendar file and of its share link, so it can be subscribed to or shared.

Star buttons say what they will do: "Star" or "Remove from my agenda". Pages holding them are cached
once for every visitor, so they are rendered unstarred, and ``AgendaStarsMiddleware``
(``sessions.middleware``) marks the starred ones in each response from the visitor's cookie, with
and without JavaScript: a cached page stays shared, and marking costs one pass over the page, no
query. The page's script keeps the buttons in step when it stars in place. Each button is the
fragment a browser without JavaScript comes back to (``#star-12``), which puts the focus back on it.
"""

import hashlib
import itertools
import re
from html import escape

from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext

from core.forum_time import forum_date

AGENDA_COOKIE = "agenda"
# After a star added without JavaScript, the id of the session whose clashes the next page shows (once).
CLASH_NOTICE_COOKIE = "agenda_clash"
CLASH_NOTICE_MAX_AGE = 5 * 60
AGENDA_MAX_SESSIONS = 100
AGENDA_COOKIE_MAX_AGE = 60 * 60 * 24 * 400  # 400 days, the longest browsers keep a cookie
ACTIONS = {"add", "remove", "toggle"}

_SESSION_ID = re.compile(r"[1-9][0-9]{0,17}")
_SEPARATORS = re.compile(r"[-,]")
_MAX_VALUE_LENGTH = AGENDA_MAX_SESSIONS * 20


def is_session_id(value):
    """Whether ``value`` is written as a session id: a positive integer, digits only."""
    return isinstance(value, str) and _SESSION_ID.fullmatch(value) is not None


def agenda_ids_parse(value):
    """The session ids in a cookie or query value, in order, without repeats, at most AGENDA_MAX_SESSIONS.

    Anything that is not a plain positive integer is dropped, and so is an overlong value.
    """
    if not value or len(value) > _MAX_VALUE_LENGTH:
        return []
    ids = []
    for part in _SEPARATORS.split(value):
        if is_session_id(part) and int(part) not in ids:
            ids.append(int(part))
            if len(ids) == AGENDA_MAX_SESSIONS:
                break
    return ids


def agenda_ids_from_request(request):
    return agenda_ids_parse(request.COOKIES.get(AGENDA_COOKIE, ""))


def agenda_cookie_value(ids):
    return "-".join(str(pk) for pk in ids)


def agenda_query_value(ids):
    return ",".join(str(pk) for pk in ids)


def agenda_set_cookie(response, ids, *, secure):
    """Store ``ids`` in the response's cookie, or remove the cookie when there is none left."""
    if ids:
        response.set_cookie(
            AGENDA_COOKIE,
            agenda_cookie_value(ids),
            max_age=AGENDA_COOKIE_MAX_AGE,
            path="/",
            secure=secure,
            httponly=False,  # the star buttons' script reads it
            samesite="Lax",
        )
    else:
        response.delete_cookie(AGENDA_COOKIE, path="/", samesite="Lax")
    return response


class AgendaFull(Exception):
    """Starring one more session would go over AGENDA_MAX_SESSIONS."""


def agenda_change(*, ids, session_id, action):
    """The agenda after adding, removing or toggling ``session_id``: returns (ids, is_starred).

    Raises AgendaFull when adding to a full agenda; ``ids`` itself is left as it was.
    """
    if action not in ACTIONS:
        raise ValueError(f"Unknown agenda action {action!r}.")
    starred = session_id in ids
    if action == "toggle":
        action = "remove" if starred else "add"
    if action == "remove":
        return [pk for pk in ids if pk != session_id], False
    if starred:
        return list(ids), True
    if len(ids) >= AGENDA_MAX_SESSIONS:
        raise AgendaFull
    return [*ids, session_id], True


def _overlap(first, second):
    return (
        first.starts_at is not None
        and second.starts_at is not None
        and first.starts_at < second.ends_at
        and second.starts_at < first.ends_at
    )


def agenda_clashes(sessions):
    """For each session, the other sessions of the list that overlap it in time: {pk: [sessions]}.

    Sessions that merely touch (one ends as the next starts) do not clash.
    """
    clashes = {session.pk: [] for session in sessions}
    for first, second in itertools.combinations(sessions, 2):
        if _overlap(first, second):
            clashes[first.pk].append(second)
            clashes[second.pk].append(first)
    return clashes


def agenda_days(sessions):
    """Sessions in time order, grouped by day in each session's forum time zone, clashes marked.

    Returns [{"date", "items": [{"session", "clashes"}]}], with a last day of date None holding
    the sessions not yet scheduled.
    """
    clashes = agenda_clashes(sessions)
    scheduled = sorted(
        (s for s in sessions if s.starts_at),
        key=lambda s: (s.starts_at, s.ends_at, s.roundtable.number, s.number),
    )
    days = []
    for date, day_sessions in itertools.groupby(scheduled, key=lambda s: forum_date(s.starts_at, s.roundtable.forum)):
        days.append({"date": date, "items": [{"session": s, "clashes": clashes[s.pk]} for s in day_sessions]})
    unscheduled = [s for s in sessions if not s.starts_at]
    if unscheduled:
        days.append({"date": None, "items": [{"session": s, "clashes": []} for s in unscheduled]})
    return days


# Star buttons ---------------------------------------------------------------------------------


def star_anchor(session_id):
    """The id of a session's star button, and the fragment a browser without JavaScript comes back to."""
    return f"star-{session_id}"


def star_labels():
    """The translated words of star buttons, in the active language: look them up once per page."""
    return {
        "add": escape(gettext("Star")),
        "remove": escape(gettext("Remove from my agenda")),
        # Translators: read by screen readers after “Star” or “Remove from my agenda”: which session the button is for.
        "session": gettext("session %(code)s"),
    }


def star_form_html(*, session_id, code, action_url, back_to, starred=False, labels=None):
    """The star form of one session (HTML): a button that says what it will do, posting ``add`` or
    ``remove`` to ``action_url`` and coming back to ``back_to`` (a path, at the button).

    ``AgendaStarsMiddleware`` and the page's script switch a button from one state to the other,
    so its markup is written here only (see ``_STAR_BUTTON``).
    """
    labels = labels or star_labels()
    label, other = (labels["remove"], labels["add"]) if starred else (labels["add"], labels["remove"])
    return (
        f'<form class="agenda-star" method="post" action="{escape(action_url)}" data-agenda-session="{session_id}">'
        f'<input type="hidden" name="session" value="{session_id}">'
        f'<input type="hidden" name="next" value="{escape(back_to)}#{star_anchor(session_id)}">'
        f'<button type="submit" class="star-button" id="{star_anchor(session_id)}" name="action"'
        f' value="{"remove" if starred else "add"}"><span class="star-icon" aria-hidden="true"></span>'
        f'<span class="star-label" data-other="{other}">{label}</span>'
        f'<span class="visually-hidden"> {escape(labels["session"] % {"code": code})}</span></button></form>'
    )


# A button as star_form_html writes it, up to the end of its visible label.
_STAR_BUTTON = re.compile(
    rb'<button type="submit" class="star-button" id="star-(?P<id>[1-9][0-9]{0,17})" name="action"'
    rb' value="(?P<action>add|remove)"(?P<described>[^>]*)><span class="star-icon" aria-hidden="true"></span>'
    rb'<span class="star-label" data-other="(?P<other>[^"<>]*)">(?P<label>[^<]*)</span>'
)
STAR_FORM_MARKER = b'<form class="agenda-star" '


def clash_notice_id(session_id):
    return f"agenda-clash-{session_id}"


def stars_mark(content, *, starred, notice=None):
    """``content`` (a page's bytes) with the star buttons of the ``starred`` ids switched to "Remove
    from my agenda", and ``notice`` (``(session_id, html)``) placed after that session's button.

    Returns (content, marked): ``marked`` lists, in order, the ids whose buttons were switched or got
    the notice, which is what makes this page differ from the shared one. One pass, no query.
    """
    notice_id, notice_html = notice or (None, b"")
    marked = []

    def switch(match):
        session_id = int(match["id"])
        starred_here = session_id in starred and match["action"] == b"add"
        noticed = session_id == notice_id
        if not starred_here and not noticed:
            return match[0]
        marked.append(session_id)
        action, label, other = (
            (b"remove", match["other"], match["label"])
            if starred_here
            else (match["action"], match["label"], match["other"])
        )
        described = match["described"]
        if noticed:
            described += f' aria-describedby="{clash_notice_id(session_id)}"'.encode()
        button = (
            b'<button type="submit" class="star-button" id="star-'
            + match["id"]
            + b'" name="action" value="'
            + action
            + b'"'
            + described
            + b'><span class="star-icon" aria-hidden="true"></span><span class="star-label"'
            b' data-other="' + other + b'">' + label + b"</span>"
        )
        return button

    content = _STAR_BUTTON.sub(switch, content)
    if notice_id in marked and notice_html:
        # The notice goes right after its button, inside the form.
        anchor = f'id="{star_anchor(notice_id)}"'.encode()
        start = content.find(anchor)
        end = content.find(b"</button>", start)
        if start != -1 and end != -1:
            end += len(b"</button>")
            content = content[:end] + notice_html + content[end:]
    return content, marked


def stars_etag(etag, marked, notice):
    """The ETag of a page whose stars were marked: the shared page's, told apart by what was marked.

    Never equal to the shared page's own ETag, so that a browser holding the shared page revalidates
    against the marked one (and the other way round) instead of getting a 304 for the wrong page.
    """
    digest = hashlib.sha256(f"{sorted(marked)}|{notice or ''}".encode()).hexdigest()[:16]
    weak = etag.startswith("W/")
    core = etag.removeprefix("W/").strip('"')
    return f'{"W/" if weak else ""}"{core}-{digest}"'


def clash_notice_html(*, session_id, clashes, agenda_url):
    """The warning shown after starring a session that overlaps ``clashes`` (sessions already starred)."""
    return format_html(
        '<p class="agenda-clash" id="{}" role="status"><strong>{}</strong> {} {} · <a href="{}">{}</a></p>',
        clash_notice_id(session_id),
        gettext("Clash:"),
        gettext("overlaps with"),
        format_html_join(
            ", ",
            '<a href="{}"><span class="code">{}</span> {}</a>',
            ((other.get_absolute_url(), other.code, other.title) for other in clashes),
        ),
        agenda_url,
        gettext("My agenda"),
    )


def clashes_with(session_id, sessions):
    """The sessions of ``sessions`` other than ``session_id`` that overlap it in time (in time order)."""
    by_id = {session.pk: session for session in sessions}
    session = by_id.get(session_id)
    if session is None or session.starts_at is None:
        return []
    others = [other for other in sessions if other.pk != session_id and _overlap(session, other)]
    return sorted(others, key=lambda other: (other.starts_at, other.ends_at, other.pk))
