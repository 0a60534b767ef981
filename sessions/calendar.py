"""iCalendar (RFC 5545) files of the programme: one session, a whole forum, a roundtable, a theme, a
person, or a delegate's agenda.

Selectors fetch the sessions (see ``selectors.sessions_for_calendar``); ``sessions_with_sequence``
adds how many times each was changed; this module only formats them.

The files are meant to be subscribed to: each asks calendar apps to fetch it again every hour
(``REFRESH-INTERVAL``, and ``X-PUBLISHED-TTL`` for the apps that read that one), and each event
carries a ``SEQUENCE`` that goes up with every recorded change of its session (its versions in
the history) and a ``LAST-MODIFIED`` (the session's ``updated_at``), so subscribed calendars move
an event that moved instead of keeping the old one.

Times are written in the forum's own time zone, with its VTIMEZONE, so a delegate's calendar shows
them right wherever the delegate is.

Texts are those of the file's language (the language of its address, active while it is written), or
English where they have no translation; an event's SUMMARY names the language of its title
(``LANGUAGE=en`` on a fallback), as pages put ``lang="en"`` on such a title.
"""

import datetime

from django.db import router
from django.db.models import CharField, Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vDuration
from reversion.models import Version

from core.forum_time import forum_local
from core.text import markdown_plain
from core.translated import content_language, shown_language, translated_fields

from . import presenters
from .models import Participation

PRODID = "-//GFMD Civil Society Days//Roundtable Portal//EN"
UID_DOMAIN = "gfmd-portal"
CONTENT_TYPE = "text/calendar; charset=utf-8"
REFRESH_INTERVAL = datetime.timedelta(hours=1)  # how often subscribed calendar apps fetch a file again


def session_uid(session):
    """The event's UID: stable across downloads, so calendars update the event instead of adding it twice."""
    return f"session-{session.pk}@{UID_DOMAIN}"


def sessions_with_sequence(sessions):
    """``sessions`` (a queryset) with ``revision_count``: how many versions of each the history holds.

    Every recorded change of a session (in the admin, or by a service inside ``revision``; a change
    of its issues or people too, as those versions include the session) adds one, so it serves as
    the event's ``SEQUENCE``. Counted in the sessions' own query, whatever their number.
    """
    model = sessions.model
    versions = (
        Version.objects.filter(
            db=router.db_for_write(model),
            content_type__app_label=model._meta.app_label,
            content_type__model=model._meta.model_name,
            object_id=Cast(OuterRef("pk"), output_field=CharField()),
        )
        .order_by()
        .values("object_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return sessions.annotate(revision_count=Coalesce(Subquery(versions), 0))


def plain_text(text):
    """Markdown stored in the database as one line of plain text."""
    return markdown_plain(text)


def _issue_headings():
    return {
        "main_issue": _("Main issues"),
        "proposed_theme": _("Proposed themes"),
        "question": _("Discussion questions"),
    }


def description_labels():
    """The translated words of descriptions, in the active language: look them up once per file.

    A 300-session file needs thousands of them, and ``get_role_display`` costs a translation
    lookup per choice each time.
    """
    return {
        "roles": {value: str(label) for value, label in Participation.Role.choices},
        "issues": _issue_headings(),
    }


def session_description(session, *, labels=None):
    """Plain-text DESCRIPTION: roundtable, people by role, then main issues with their sub-points.

    Expects ``session`` as ``sessions_for_calendar`` returns it (participations, ``top_issues``);
    ``labels`` as ``description_labels`` returns them (looked up here when not given).
    """
    labels = labels or description_labels()
    roundtable = session.roundtable
    lines = [roundtable.forum.group_label(roundtable.number, roundtable.title)]

    roles = presenters.participations_by_role(session.participations.all())
    if roles:
        lines.append("")
        for role, participations in roles:
            names = ", ".join(
                f"{person.name} ({person.organisation.name})" if person.organisation else person.name
                for person in (participation.person for participation in participations)
            )
            # Translators: a line of a calendar event's description: a role, then the people in it (“Chair: …”).
            lines.append(_("%(role)s: %(names)s") % {"role": labels["roles"].get(role, role), "names": names})

    headings = labels["issues"]
    for kind, issues in presenters.issues_by_kind(getattr(session, "top_issues", [])):
        lines.extend(["", headings[kind] if kind in headings else issues[0].get_kind_display()])
        for number, issue in enumerate(issues, start=1):
            lines.append(f"{number}. {plain_text(issue.text)}")
            lines.extend(f"   – {plain_text(point.text)}" for point in issue.points.all())
    return "\n".join(lines)


def session_location(session):
    """Where a session takes place, as calendar apps show it: its room, then the forum's venue and place
    ("Room A, Megaron Athens, Vas. Sofias 1, Athens, Greece")."""
    forum = session.roundtable.forum
    return ", ".join(part for part in (session.room.name if session.room else "", forum.venue_place) if part)


def title_language(session):
    """The language of the title an event shows: the file's, or English when the title has no translation."""
    if "title" not in translated_fields(session):
        return content_language()
    return shown_language(session, "title")


def session_event(session, *, url, labels=None):
    """The VEVENT of one scheduled session; ``url`` is the absolute address of its page."""
    forum = session.roundtable.forum
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", session.updated_at.astimezone(datetime.UTC))
    event.add("last-modified", session.updated_at.astimezone(datetime.UTC))
    event.add("sequence", session.revision_count)
    event.add("dtstart", forum_local(session.starts_at, forum))
    event.add("dtend", forum_local(session.ends_at, forum))
    # A plenary, break or reception has no code delegates know it by.
    event.add(
        "summary",
        f"{session.code} {session.title}" if session.is_session else session.title,
        parameters={"LANGUAGE": title_language(session)},
    )
    location = session_location(session)
    if location:
        map_link = forum.venue_map_link
        event.add("location", location, parameters={"ALTREP": map_link} if map_link else None)
    event.add("description", f"{session_description(session, labels=labels)}\n\n{url}")
    event.add("url", url)
    themes = [theme.name for theme in session.themes.all()]
    if themes:
        event.add("categories", themes)
    return event


def calendar_build(*, sessions, name, absolute_url):
    """The iCalendar file (bytes) of ``sessions``, the scheduled ones, in the order given.

    ``name`` titles the calendar in calendar apps; ``absolute_url`` turns a path into a full
    address, e.g. ``request.build_absolute_uri``.
    """
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("name", name)
    calendar.add("x-wr-calname", name)
    calendar.add("refresh-interval", REFRESH_INTERVAL, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    scheduled = [session for session in sessions if session.starts_at and session.ends_at]
    labels = description_labels()
    for session in scheduled:
        calendar.add_component(session_event(session, url=absolute_url(session.get_absolute_url()), labels=labels))
    if scheduled:
        # Each zone's rules from a year before the first session to a year after the last.
        first = min(session.starts_at for session in scheduled).date() - datetime.timedelta(days=366)
        last = max(session.ends_at for session in scheduled).date() + datetime.timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()
