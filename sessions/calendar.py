"""iCalendar (RFC 5545) files of the programme: one session, a whole forum, a roundtable, a theme, a
person, or a delegate's agenda.

A view chooses the sessions (``selectors.sessions_for_calendar_file``, filtered as it needs);
``calendar_events`` reads what their events show in a fixed number of queries, as plain values, and
``calendar_build`` writes the file with the portal's own writer (``core.ical``). A 300-session file is
made anew for each request the page cache does not answer, so neither step builds model instances
per row or a tree of objects per property.

The files are meant to be subscribed to: each asks calendar apps to fetch it again every hour
(``REFRESH-INTERVAL``, and ``X-PUBLISHED-TTL`` for the apps that read that one), and each event
carries a ``SEQUENCE`` that goes up with every recorded change of its session (its versions in
the history) and a ``LAST-MODIFIED`` (the session's ``updated_at``), so subscribed calendars move
an event that moved instead of keeping the old one.

Times are written in the forum's own time zone, with its VTIMEZONE, so a delegate's calendar shows
them right wherever the delegate is (a forum on UTC gets UTC times, ``…Z``, and no VTIMEZONE).

Texts are those of the file's language (the language of its address, active while it is written), or
English where they have no translation; an event's SUMMARY names the language of its title
(``LANGUAGE=en`` on a fallback), as pages put ``lang="en"`` on such a title.

``session_description`` (from model instances) serves the frab schedule too; both it and the
calendar's own reads write descriptions with ``description_text``.

Longer than 400 lines: what an event says (its description, shared with the frab schedule), how the
file reads it and how it writes it are one format's rules, kept together so they change together.
"""

import dataclasses
import datetime
from typing import NamedTuple

from django.db import router
from django.db.models import CharField, Count, OuterRef, Subquery
from django.db.models.functions import Cast, Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _
from reversion.models import Version

from core import ical
from core.forum_time import forum_zone
from core.text import markdown_plain
from core.translated import SOURCE_LANGUAGE, content_language, shown_language, translated_fields
from roundtables.models import Forum, Theme

from . import presenters
from .models import Issue, Participation, Session

PRODID = "-//GFMD Civil Society Days//Roundtable Portal//EN"
UID_DOMAIN = "gfmd-portal"
CONTENT_TYPE = "text/calendar; charset=utf-8"
REFRESH_INTERVAL = datetime.timedelta(hours=1)  # how often subscribed calendar apps fetch a file again
ZONE_MARGIN = datetime.timedelta(
    days=366
)  # a VTIMEZONE covers a year before the first session to a year after the last


def session_uid(pk):
    """The event's UID: stable across downloads, so calendars update the event instead of adding it twice."""
    return f"session-{pk}@{UID_DOMAIN}"


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
        "kinds": {value: str(label) for value, label in Issue.Kind.choices},
        # Translators: a line of a calendar event's description: a role, then the people in it (“Chair: …”).
        "role_line": _("%(role)s: %(names)s"),
    }


class DescribedRole(NamedTuple):
    """A person in a session's description: their role, and their name with their organisation's."""

    role: str
    name: str


class DescribedIssue(NamedTuple):
    """A top-level issue in a session's description: its kind, and its text and sub-points as plain text."""

    kind: str
    text: str
    points: list


def description_text(*, group, roles, issues, labels):
    """Plain-text description: ``group`` (the roundtable's label), people by role (``DescribedRole`` in
    order of position), then the issues by kind (``DescribedIssue`` in order of position), numbered,
    with their sub-points. ``labels`` as ``description_labels`` returns them."""
    lines = [group]
    by_role = presenters.participations_by_role(roles)
    if by_role:
        lines.append("")
        role_names, role_line = labels["roles"], labels["role_line"]
        for role, people in by_role:
            names = ", ".join(person.name for person in people)
            lines.append(role_line % {"role": role_names.get(role, role), "names": names})
    headings = labels["issues"]
    for kind, group_issues in presenters.issues_by_kind(issues):
        lines.extend(["", headings[kind] if kind in headings else labels["kinds"].get(kind, kind)])
        for number, issue in enumerate(group_issues, start=1):
            lines.append(f"{number}. {issue.text}")
            lines.extend(f"   – {point}" for point in issue.points)
    return "\n".join(lines)


def _person_name(name, organisation):
    return f"{name} ({organisation})" if organisation else name


def session_description(session, *, labels=None):
    """Plain-text DESCRIPTION: roundtable, people by role, then main issues with their sub-points.

    Expects ``session`` as ``sessions_for_calendar`` returns it (participations, ``top_issues``);
    ``labels`` as ``description_labels`` returns them (looked up here when not given).
    """
    roundtable = session.roundtable
    roles = [
        DescribedRole(
            participation.role,
            _person_name(
                participation.person.name,
                participation.person.organisation.name if participation.person.organisation else "",
            ),
        )
        for participation in session.participations.all()
    ]
    issues = [
        DescribedIssue(
            issue.kind, markdown_plain(issue.text), [markdown_plain(point.text) for point in issue.points.all()]
        )
        for issue in getattr(session, "top_issues", [])
    ]
    return description_text(
        group=roundtable.forum.group_label(roundtable.number, roundtable.title),
        roles=roles,
        issues=issues,
        labels=labels or description_labels(),
    )


def title_language(session):
    """The language of the title an event shows: the file's, or English when the title has no translation."""
    if "title" not in translated_fields(session):
        return content_language()
    return shown_language(session, "title")


# The calendar files: reads ----------------------------------------------------------------------------


@dataclasses.dataclass(slots=True)
class CalendarEvent:
    """What the VEVENT of one scheduled session shows, in the file's language."""

    pk: int
    code: str  # "1.2"
    updated_at: datetime.datetime
    sequence: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    zone: object  # the forum's ZoneInfo
    summary: str
    summary_language: str
    location: str
    location_link: str  # the forum's map link ("" for none)
    description: str  # without the session's address, which the file adds
    path: str  # the session page's path
    categories: list  # theme names


def _columns(field, language):
    """The columns of a translated ``field`` to read: English's, then ``language``'s when it is another."""
    english = f"{field}_{SOURCE_LANGUAGE}"
    return (english,) if language == SOURCE_LANGUAGE else (english, f"{field}_{language}")


def _shown(row, field, language):
    """The text ``field`` shows in ``language`` (``row`` holds its ``_columns``): that language's, else English."""
    return row.get(f"{field}_{language}") or row[f"{field}_{SOURCE_LANGUAGE}"] or ""


def _shown_at(row, index, language):
    """As ``_shown`` for a row of ``values_list``: English's column at ``index``, ``language``'s after it."""
    if language != SOURCE_LANGUAGE and row[index + 1]:
        return row[index + 1]
    return row[index] or ""


_SLUG_SLOT = "0slug0slot0"  # a session's slug while the path of its roundtable's sessions is looked up


def _session_path_template(forum_slug, roundtable_slug):
    """(path before the slug, path after it) of the pages of a roundtable's sessions: one lookup per roundtable."""
    path = reverse(
        "roundtables:session", kwargs={"forum": forum_slug, "roundtable": roundtable_slug, "slug": _SLUG_SLOT}
    )
    head, _slot, tail = path.rpartition(_SLUG_SLOT)
    return head, tail


def _values(queryset):
    """``queryset`` whose ``values()`` come as the database holds them: it names the column of each language
    itself, so modeltranslation's fallback step on every row (and its rewriting of names) is left out."""
    return queryset.rewrite(False)


def calendar_events(sessions):
    """The events of ``sessions`` (a queryset of scheduled sessions, in the file's order), as a list of
    ``CalendarEvent``: five queries, whatever their number (sessions with their roundtable, room and
    version count; their forums; people; themes; issues with their sub-points), values only."""
    language = content_language()
    rows = list(
        sessions_with_sequence(_values(sessions)).values(
            "id",
            "number",
            "slug",
            "kind",
            *_columns("title", language),
            "starts_at",
            "ends_at",
            "updated_at",
            "revision_count",
            *_columns("room__name", language),
            "roundtable_id",
            "roundtable__number",
            "roundtable__slug",
            *_columns("roundtable__title", language),
            "roundtable__forum_id",
            "roundtable__forum__slug",
        )
    )
    rows = [row for row in rows if row["starts_at"] and row["ends_at"]]
    if not rows:
        return []
    ids = [row["id"] for row in rows]
    forums = {forum.pk: forum for forum in Forum.objects.filter(pk__in={row["roundtable__forum_id"] for row in rows})}

    people = {}
    for session_id, role, name, organisation_id, *organisation in (
        Participation.objects.filter(session_id__in=ids)
        .order_by("position", "id")
        .values_list(
            "session_id",
            "role",
            "person__name",
            "person__organisation_id",
            *_columns("person__organisation__name", language),
        )
    ):
        organisation_name = _shown_at(organisation, 0, language) if organisation_id is not None else ""
        people.setdefault(session_id, []).append(DescribedRole(role, _person_name(name, organisation_name)))

    themes = {}
    for session_id, *name in (
        _values(Theme.objects.all()).filter(sessions__in=ids).values_list("sessions", *_columns("name", language))
    ):
        themes.setdefault(session_id, []).append(_shown_at(name, 0, language))

    plain = {}  # the same issue text comes back in many sessions of a big forum: made plain once per file

    def plain_once(text):
        if text not in plain:
            plain[text] = markdown_plain(text)
        return plain[text]

    issues, points = {}, {}
    issue_rows = (
        _values(Issue.objects.all())
        .filter(session_id__in=ids)
        .order_by("position", "id")
        .values_list("id", "session_id", "parent_id", "kind", *_columns("text", language))
    )
    for pk, session_id, parent_id, kind, *text in issue_rows:
        if parent_id is None:
            issues.setdefault(session_id, []).append((pk, kind, plain_once(_shown_at(text, 0, language))))
        else:
            points.setdefault(parent_id, []).append(plain_once(_shown_at(text, 0, language)))

    labels = description_labels()
    groups = {}  # roundtable id: its label
    paths = {}  # roundtable id: its sessions' path around the slug
    places = {}  # forum id: (zone, venue place, map link)
    events = []
    for row in rows:
        forum_id = row["roundtable__forum_id"]
        if forum_id not in places:
            forum = forums[forum_id]
            places[forum_id] = (forum_zone(forum), forum.venue_place, forum.venue_map_link)
        zone, venue_place, map_link = places[forum_id]
        roundtable_id = row["roundtable_id"]
        if roundtable_id not in groups:
            groups[roundtable_id] = forums[forum_id].group_label(
                row["roundtable__number"], _shown(row, "roundtable__title", language)
            )
            paths[roundtable_id] = _session_path_template(row["roundtable__forum__slug"], row["roundtable__slug"])
        title = _shown(row, "title", language)
        code = f"{row['roundtable__number']}.{row['number']}"
        room = _shown(row, "room__name", language)
        description = description_text(
            group=groups[roundtable_id],
            roles=people.get(row["id"], []),
            issues=[DescribedIssue(kind, text, points.get(pk, [])) for pk, kind, text in issues.get(row["id"], [])],
            labels=labels,
        )
        events.append(
            CalendarEvent(
                pk=row["id"],
                code=code,
                updated_at=row["updated_at"],
                sequence=row["revision_count"],
                starts_at=row["starts_at"],
                ends_at=row["ends_at"],
                zone=zone,
                # A plenary, break or reception has no code delegates know it by.
                summary=f"{code} {title}" if row["kind"] == Session.Kind.SESSION else title,
                summary_language=language if row.get(f"title_{language}") else SOURCE_LANGUAGE,
                location=", ".join(part for part in (room, venue_place) if part),
                location_link=map_link,
                description=description,
                path=row["slug"].join(paths[roundtable_id]),
                categories=themes.get(row["id"], []),
            )
        )
    return events


# The calendar files: writing ----------------------------------------------------------------------------


def _when(name, moment, zone):
    """DTSTART or DTEND: on the forum's clock, with its TZID. In UTC for a forum on UTC, and for a time the
    clocks show twice (when they go back) the second time: a local time means the first (RFC 5545, 3.3.5)."""
    if not ical.is_utc(zone):
        local = moment.astimezone(zone)
        if not local.fold:
            return f"{name};TZID={zone.key}:{ical.local_time(local)}"
    return f"{name}:{ical.utc_time(moment)}"


def _event_lines(event, *, url):
    """The folded lines (bytes) of one event's VEVENT."""
    starts, ends = _when("DTSTART", event.starts_at, event.zone), _when("DTEND", event.ends_at, event.zone)
    stamp = ical.utc_time(event.updated_at)
    lines = [
        b"BEGIN:VEVENT",
        f"UID:{session_uid(event.pk)}".encode(),
        f"DTSTAMP:{stamp}".encode(),
        f"LAST-MODIFIED:{stamp}".encode(),
        f"SEQUENCE:{event.sequence}".encode(),
        starts.encode(),
        ends.encode(),
        ical.content_line("SUMMARY", ical.text(event.summary), language=event.summary_language),
    ]
    if event.location:
        if event.location_link:
            lines.append(ical.content_line("LOCATION", ical.text(event.location), altrep=event.location_link))
        else:
            lines.append(ical.content_line("LOCATION", ical.text(event.location)))
    lines.append(ical.content_line("DESCRIPTION", ical.text(f"{event.description}\n\n{url}")))
    lines.append(ical.content_line("URL", url))
    if event.categories:
        lines.append(ical.content_line("CATEGORIES", ical.texts(event.categories)))
    lines.append(b"END:VEVENT")
    return lines


def calendar_build(*, events, name, absolute_url):
    """The iCalendar file (bytes) of ``events`` (as ``calendar_events`` reads them), in the order given.

    ``name`` titles the calendar in calendar apps; ``absolute_url`` turns a path into a full
    address, e.g. ``request.build_absolute_uri``.
    """
    lines = [
        b"BEGIN:VCALENDAR",
        b"VERSION:2.0",
        ical.content_line("PRODID", PRODID),
        b"CALSCALE:GREGORIAN",
        # Calendar apps read these names as they are, commas and all (the files have always written them so).
        ical.content_line("NAME", ical.unescaped_text(name)),
        ical.content_line("X-WR-CALNAME", ical.unescaped_text(name)),
        ical.content_line("REFRESH-INTERVAL", ical.duration(REFRESH_INTERVAL), value="DURATION"),
        ical.content_line("X-PUBLISHED-TTL", ical.duration(REFRESH_INTERVAL)),
    ]
    if events:
        # Each zone's rules from a year before the first session to a year after the last.
        first = (min(event.starts_at for event in events) - ZONE_MARGIN).date()
        last = (max(event.ends_at for event in events) + ZONE_MARGIN).date()
        zones = {event.zone.key: event.zone for event in events if not ical.is_utc(event.zone)}
        for zone in zones.values():
            lines.extend(ical.fold(line) for line in ical.vtimezone(zone, first, last))
    for event in events:
        lines.extend(_event_lines(event, url=absolute_url(event.path)))
    lines.append(b"END:VCALENDAR")
    lines.append(b"")
    return b"\r\n".join(lines)
