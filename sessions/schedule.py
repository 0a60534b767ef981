"""A forum's programme as a frab schedule, the format conference apps read (Giggity, ConfClerk,
EventFahrplan): ``schedule.xml`` and its JSON twin ``schedule.json``.

Both follow the public schemas of the format (copies in ``tests/schemas/``, which the tests validate
against). One builder, ``schedule_build``, turns the sessions into the JSON structure; ``schedule_xml``
writes the same content as XML, so the two never disagree.

What goes in: the published, scheduled sessions of a published forum, as ``sessions_for_schedule``
reads them with the portal's visibility rule (``sessions_for_calendar`` with no user: never drafts,
even for staff). Each session is an event:

- ``guid``: a UUID made from a fixed namespace and the session's id, the same in every export,
  language and server, so apps update an event instead of adding it twice; ``id`` is the session's id;
- ``slug``: the forum's acronym, the session's code (roundtable number, session number) and its slug;
- ``title``: code and title, as in the booklet and the calendars; ``track``: its roundtable;
  ``type``: "Session"; ``language``: the language of the export (the page's);
- ``abstract``: the background as plain text; ``description``: people by role, issues, themes;
- ``date``/``start``/``duration``: in the forum's time zone; days run from the forum's first day to
  its last; sessions without a room are in a room named "To be announced";
- ``persons``: names (no contact data) with their roles, each linking to the person's page;
  ``links``: the session's page and its roundtable's; ``attachments``: its documents and its roundtable's,
  each the file in the export's language (else English, else any).

``version`` is the programme's version stamp and its date, so it changes with every change to
the programme (of any forum: the stamp is shared).
"""

import dataclasses
import datetime
import itertools
import json
import re
import uuid
from xml.etree import ElementTree

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.forum_time import forum_date, forum_local, forum_zone
from core.text import markdown_plain
from roundtables.models import ProgrammeStamp

from .calendar import description_labels, session_description
from .documents import file_choice, session_documents
from .selectors import sessions_for_calendar

XML_CONTENT_TYPE = "application/xml; charset=utf-8"
JSON_CONTENT_TYPE = "application/json"
JSON_SCHEMA_ID = "https://c3voc.de/schedule/schema.json"
GENERATOR = "GFMD Roundtable Portal"
# Fixed for good: GUIDs of sessions, people and rooms are made from it, and apps recognise events by them.
NAMESPACE = uuid.UUID("f339da17-397c-4baf-858a-6f53f91794aa")
TIMESLOT = "00:15"

# Characters XML 1.0 cannot hold (control characters, lone surrogates, U+FFFE and U+FFFF).
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PARAGRAPHS = re.compile(r"\n\s*\n")
_NOT_ACRONYM = re.compile(r"[^a-z0-9_]+")
_NOT_SLUG = re.compile(r"[^a-z0-9_-]+")


def guid(kind, pk):
    return str(uuid.uuid5(NAMESPACE, f"{kind}:{pk}"))


def clean(text):
    """Stored text without the characters an XML file cannot hold (so both exports say the same)."""
    return _NOT_XML.sub("", text or "")


def paragraphs(markdown):
    """Markdown as plain text, one paragraph per block, blank lines between them."""
    blocks = (markdown_plain(block) for block in _PARAGRAPHS.split(markdown or ""))
    return clean("\n\n".join(block for block in blocks if block))


def acronym(forum):
    """The forum's slug as the format's acronym: lowercase letters, digits and underscores, four or more."""
    value = _NOT_ACRONYM.sub("_", forum.slug.lower()).strip("_") or "forum"
    return value.ljust(4, "_")


def event_slug(session, *, prefix):
    """``<acronym>-<roundtable>-<session>-<slug>``, unique in the forum (codes are)."""
    tail = _NOT_SLUG.sub("-", session.slug.lower()).strip("-_") or "session"
    return f"{prefix}-{session.roundtable.number}-{session.number}-{tail}"


def _hours_minutes(delta):
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _when(moment, zone):
    return forum_local(moment, zone).replace(microsecond=0).isoformat()


def sessions_for_schedule(*, forum):
    """The forum's published, scheduled sessions with everything an event shows, as a list: its documents
    and its roundtable's (``documents_shown``) included (fixed number of queries)."""
    return session_documents(sessions=sessions_for_calendar(forum=forum, user=None))


def programme_version_label():
    """The programme's version stamp and the date of its last change, e.g. "v42 (2026-11-30)"."""
    version, changed_at = ProgrammeStamp.objects.filter(pk=1).values_list("version", "changed_at").first() or (0, None)
    return f"v{version} ({changed_at:%Y-%m-%d})" if changed_at else f"v{version}"


def _track_name(roundtable):
    """“Roundtable 1: Title”, or as the forum names its roundtables (“Theme 1: Title”)."""
    return clean(roundtable.forum.group_label(roundtable.number, roundtable.title))


def _persons(session, *, context):
    """One entry per person, in role order, with all their roles in the session."""
    persons = {}
    for participation in session.participations.all():
        person = participation.person
        if person.pk not in persons:
            if person.pk not in context.person_links:  # people come back in many sessions
                context.person_links[person.pk] = (
                    guid("person", person.pk),
                    context.absolute_url(person.get_absolute_url()),
                )
            person_guid, url = context.person_links[person.pk]
            persons[person.pk] = {
                "id": person.pk,
                "guid": person_guid,
                "name": clean(person.name),
                "roles": [],
                "url": url,
            }
        persons[person.pk]["roles"].append(context.labels["roles"].get(participation.role, participation.role))
    return [
        {"id": p["id"], "guid": p["guid"], "name": p["name"], "role": ", ".join(p["roles"]), "url": p["url"]}
        for p in persons.values()
    ]


def _description(session, *, context):
    text = session_description(session, labels=context.labels)
    themes = [theme.name for theme in session.themes.all()]
    if themes:
        text += "\n\n" + _("Cross-cutting themes: %(themes)s") % {"themes": ", ".join(themes)}
    return clean(text)


@dataclasses.dataclass
class _Context:
    """What every event of one export shares, looked up once."""

    zone: object
    prefix: str
    language: str
    absolute_url: object
    labels: dict
    session_type: str
    person_links: dict = dataclasses.field(default_factory=dict)  # guid and page of each person


def _event(session, *, room_name, context):
    zone, absolute_url = context.zone, context.absolute_url
    page = absolute_url(session.get_absolute_url())
    title = clean(f"{session.code} {session.title}")
    track = _track_name(session.roundtable)
    return {
        "guid": guid("session", session.pk),
        "id": session.pk,
        "date": _when(session.starts_at, zone),
        "start": forum_local(session.starts_at, zone).strftime("%H:%M"),
        "end": _when(session.ends_at, zone),
        "duration": _hours_minutes(session.ends_at - session.starts_at),
        "room": room_name,
        "slug": event_slug(session, prefix=context.prefix),
        "url": page,
        "title": title,
        "subtitle": None,
        "track": track,
        "type": context.session_type,
        "language": context.language,
        "abstract": paragraphs(session.background),
        "description": _description(session, context=context),
        "persons": _persons(session, context=context),
        "links": [
            {"url": page, "title": title, "type": "web"},
            {"url": absolute_url(session.roundtable.get_absolute_url()), "title": track, "type": "related"},
        ],
        "attachments": [_attachment(document, context=context) for document, _shared in session.documents_shown],
    }


def _attachment(document, *, context):
    """A document as an attachment: its file in the export's language (else English, else any)."""
    chosen = file_choice(document.files.all(), context.language)
    url = chosen.get_absolute_url() if chosen else document.get_absolute_url()
    return {"url": context.absolute_url(url), "title": clean(document.title), "type": "paper"}


def _days(forum, sessions):
    """Every date from the forum's first day to its last (and any a session falls on), in its zone."""
    zone = forum_zone(forum)
    dates = {forum.starts_on + datetime.timedelta(days=n) for n in range((forum.ends_on - forum.starts_on).days + 1)}
    dates.update(forum_date(session.starts_at, zone) for session in sessions)
    return sorted(dates)


def schedule_build(*, forum, sessions, version, absolute_url, schedule_url):
    """The schedule as the JSON format's structure (a dict).

    ``sessions`` as ``sessions_for_schedule`` returns them; ``absolute_url`` turns a path into a
    full address (``request.build_absolute_uri``); ``schedule_url`` is the address of this export.
    """
    zone = forum_zone(forum)
    prefix = acronym(forum)
    context = _Context(
        zone=zone,
        prefix=prefix,
        language=get_language() or "en",
        absolute_url=absolute_url,
        labels=description_labels(),
        session_type=_("Session"),
    )
    sessions = sorted(sessions, key=lambda s: (s.starts_at, s.ends_at, s.roundtable.number, s.number))
    no_room = {"name": clean(_("To be announced")), "guid": guid("room", f"forum-{forum.pk}-none"), "position": None}

    rooms, tracks = {}, {}
    for session in sessions:
        room = session.room
        if room is None:
            rooms.setdefault(None, no_room)
        else:
            rooms.setdefault(room.pk, {"name": clean(room.name), "guid": guid("room", room.pk), "room": room})
        tracks.setdefault(session.roundtable.number, session.roundtable)
    ordered_rooms = sorted(
        rooms.values(),
        key=lambda r: (1, 0, "") if "room" not in r else (0, r["room"].position, r["name"]),
    )

    by_day = {
        date: list(group) for date, group in itertools.groupby(sessions, key=lambda s: forum_date(s.starts_at, zone))
    }
    days = []
    for index, date in enumerate(_days(forum, sessions), start=1):
        day_sessions = by_day.get(date, [])
        if day_sessions:
            day_start = min(s.starts_at for s in day_sessions)
            day_end = max(s.ends_at for s in day_sessions)
        else:
            day_start = datetime.datetime.combine(date, datetime.time(0), tzinfo=zone)
            day_end = datetime.datetime.combine(date + datetime.timedelta(days=1), datetime.time(0), tzinfo=zone)
        events = {room["name"]: [] for room in ordered_rooms}
        for session in day_sessions:
            room_name = rooms[session.room.pk if session.room else None]["name"]
            events[room_name].append(_event(session, room_name=room_name, context=context))
        days.append(
            {
                "index": index,
                "date": date.isoformat(),
                "day_start": _when(day_start, zone),
                "day_end": _when(day_end, zone),
                "rooms": events,
            }
        )

    room_entries = []
    for room in ordered_rooms:
        entry = {"name": room["name"], "guid": room["guid"]}
        if "room" in room and room["room"].capacity is not None:
            entry["capacity"] = room["room"].capacity
        room_entries.append(entry)
    return {
        "$schema": JSON_SCHEMA_ID,
        "generator": {"name": GENERATOR},
        "schedule": {
            "url": schedule_url,
            "version": version,
            "base_url": absolute_url("/"),
            "conference": {
                "acronym": prefix,
                "title": clean(forum.name),
                "start": forum.starts_on.isoformat(),
                "end": forum.ends_on.isoformat(),
                "daysCount": len(days),
                "timeslot_duration": TIMESLOT,
                "time_zone_name": forum.time_zone,
                "url": absolute_url(forum.get_absolute_url()),
                "tracks": [
                    {"name": _track_name(roundtable), "slug": f"roundtable-{number}"}
                    for number, roundtable in sorted(tracks.items())
                ],
                "rooms": room_entries,
                "days": days,
            },
        },
    }


def schedule_json(schedule):
    return json.dumps(schedule, ensure_ascii=False, indent=1).encode()


def _add(parent, tag, text=None, **attributes):
    element = ElementTree.SubElement(parent, tag, {key: str(value) for key, value in attributes.items()})
    if text is not None:
        element.text = str(text)
    return element


def _xml_event(parent, event):
    element = _add(parent, "event", id=event["id"], guid=event["guid"])
    for name in ["room", "title", "type", "date", "start", "duration", "abstract", "slug", "track"]:
        _add(element, name, event[name])
    persons = _add(element, "persons")
    for person in event["persons"]:
        _add(persons, "person", person["name"], id=person["id"], guid=person["guid"])
    _add(element, "language", event["language"])
    _add(element, "description", event["description"])
    links = _add(element, "links")
    for link in event["links"]:
        _add(links, "link", link["title"], href=link["url"])
    attachments = _add(element, "attachments")
    for attachment in event["attachments"]:
        _add(attachments, "attachment", attachment["title"], href=attachment["url"], type=attachment["type"])
    _add(element, "url", event["url"])


def schedule_xml(schedule):
    """``schedule`` (from ``schedule_build``) as the bytes of a schedule.xml."""
    data = schedule["schedule"]
    conference = data["conference"]
    root = ElementTree.Element("schedule")
    _add(root, "generator", name=schedule["generator"]["name"])
    _add(root, "url", data["url"])
    _add(root, "version", data["version"])
    element = _add(root, "conference")
    _add(element, "acronym", conference["acronym"])
    _add(element, "title", conference["title"])
    _add(element, "start", conference["start"])
    _add(element, "end", conference["end"])
    _add(element, "days", conference["daysCount"])
    _add(element, "timeslot_duration", conference["timeslot_duration"])
    _add(element, "base_url", data["base_url"])
    _add(element, "url", conference["url"])
    _add(element, "time_zone_name", conference["time_zone_name"])
    for track in conference["tracks"]:
        _add(element, "track", name=track["name"], slug=track["slug"])
    guids = {room["name"]: room["guid"] for room in conference["rooms"]}
    for day in conference["days"]:
        day_element = _add(
            root, "day", index=day["index"], date=day["date"], start=day["day_start"], end=day["day_end"]
        )
        for name, events in day["rooms"].items():
            room = _add(day_element, "room", name=name, guid=guids[name])
            for event in events:
                _xml_event(room, event)
    ElementTree.indent(root, space=" ")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
