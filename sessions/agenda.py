"""My agenda: the sessions a delegate has starred, kept in their browser (no account needed).

The starred session ids live in the ``agenda`` cookie, as ``12-15-40``: positive integers joined by
``-`` (a comma would make Django quote the cookie). The cookie is readable by the page's script,
which shows the stars' state on pages served from a shared cache; the ids are no secret. The same
ids, joined by commas, travel in the address of the agenda's iCalendar file, so it can be
subscribed to or shared.
"""

import itertools
import re

AGENDA_COOKIE = "agenda"
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
    for date, day_sessions in itertools.groupby(
        scheduled, key=lambda s: s.starts_at.astimezone(s.roundtable.forum.zone).date()
    ):
        days.append({"date": date, "items": [{"session": s, "clashes": clashes[s.pk]} for s in day_sessions]})
    unscheduled = [s for s in sessions if not s.starts_at]
    if unscheduled:
        days.append({"date": None, "items": [{"session": s, "clashes": []} for s in unscheduled]})
    return days
