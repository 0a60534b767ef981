"""Writes across forums, roundtables and sessions: a forum's save keeping local times, next editions,
loading a programme from its JSON file.

Longer than 400 lines: the forum's save, its next edition and the loading of the demo programmes and
contributions share the helpers that write a programme's records (``_update``, local times).
"""

import datetime
import json
from pathlib import Path

import reversion
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from contributions.models import Contribution, GoodPractice
from contributions.services import PRACTICE_FIELDS
from core.forum_time import forum_datetime, forum_local, local_time_exists, same_local_time
from core.translated import CONTENT_LANGUAGES, SOURCE_LANGUAGE, given_translations, stored_translations
from core.versions import revision
from roundtables.models import NAMING_FIELDS, Forum, Roundtable, Status, Theme
from sessions.models import Document, DocumentFile, Issue, Participation, Room, Session
from sessions.services import issue_set_points, people_load, session_set_roles


def sessions_without_local_time_in(*, forum, time_zone, days=datetime.timedelta(0)):
    """The forum's sessions whose local start or end (``days`` later) does not exist in ``time_zone``:
    a time the clocks skip there. Such a session cannot keep its local times in that zone."""
    missing = []
    sessions = Session.objects.filter(roundtable__forum=forum, starts_at__isnull=False).select_related("roundtable")
    for session in sessions.order_by("roundtable__number", "number"):
        for value in (session.starts_at, session.ends_at):
            local = forum_local(value, forum).replace(tzinfo=None) + days
            if not local_time_exists(local, time_zone):
                missing.append((session, local))
                break
    return missing


@transaction.atomic
def forum_save(*, forum, user=None):
    """Save ``forum``; when its time zone changed, keep each session's local wall-clock times.

    Sessions are stored in UTC and shown in the forum's time zone, so a new zone would otherwise
    move every session (09:00 in Dhaka is 05:00 in Berlin). Each session's local start and end in
    the old zone are read again in the new one, and the sessions are saved in the same transaction
    (and revision) as the forum. Returns the time zone the forum had before (None for a new forum)
    and the sessions whose UTC times were moved.
    """
    previous = None
    if forum.pk is not None:
        previous = Forum.objects.select_for_update().filter(pk=forum.pk).values_list("time_zone", flat=True).first()
    with revision(user=user):
        forum.save()
        if previous is None or previous == forum.time_zone:
            return previous, []
        moved = []
        sessions = Session.objects.filter(roundtable__forum=forum, starts_at__isnull=False).select_related("roundtable")
        for session in sessions.select_for_update(of=("self",)).order_by("roundtable__number", "number"):
            session.starts_at = same_local_time(session.starts_at, zone=previous, new_zone=forum)
            session.ends_at = same_local_time(session.ends_at, zone=previous, new_zone=forum)
            session.save(update_fields=["starts_at", "ends_at", "updated_at"])
            moved.append(session)
        reversion.set_comment(forum_time_zone_comment(previous=previous, forum=forum, count=len(moved)))
    return previous, moved


def forum_time_zone_comment(*, previous, forum, count):
    """What the history says of a change of time zone that kept the sessions' local times."""
    return ngettext(
        "Time zone changed from %(old)s to %(new)s: %(count)d session kept its local times.",
        "Time zone changed from %(old)s to %(new)s: %(count)d sessions kept their local times.",
        count,
    ) % {"old": previous, "new": forum.time_zone, "count": count}


@transaction.atomic
def forum_duplicate(
    *, forum, name, slug, starts_on, city=None, country=None, venue=None, time_zone=None, with_people=False, user=None
):
    """Start the next edition: a draft copy of ``forum`` whose first day is ``starts_on``, in ``city``,
    ``country``, ``venue`` and ``time_zone`` (those of ``forum`` when not given).

    Copies the rooms, roundtables, sessions (moved by the same number of days, at the same local
    time in the new edition's time zone; rooms and themes kept; drafts), issues with their
    sub-points and, if ``with_people``, who holds which role; the names of its roundtables and sessions
    (Theme, working session…) too. Documents and coordinators are not copied.
    """
    days = starts_on - forum.starts_on
    comment = _("Duplicated from “%(forum)s”.") % {"forum": forum.name}
    # Texts are copied in every language: English through the fields with English active (their original
    # columns too, see core.translated), translations column by column. A new name or place is English.
    with revision(user=user, comment=comment), override(SOURCE_LANGUAGE):
        kept = [field for field, value in (("city", city), ("country", country), ("venue", venue)) if value is None]
        copy = Forum(
            name=name,
            slug=slug,
            city=forum.city if city is None else city,
            country=forum.country if country is None else country,
            venue=forum.venue if venue is None else venue,
            starts_on=starts_on,
            ends_on=forum.ends_on + days,
            time_zone=time_zone or forum.time_zone,
            status=Status.DRAFT,
            description=forum.description,
            **{name: getattr(forum, name) for name in NAMING_FIELDS},
            **stored_translations(forum, "description", *kept),
        )
        copy.full_clean()
        copy.save()
        rooms = {
            room.pk: Room.objects.create(
                forum=copy,
                name=room.name,
                capacity=room.capacity,
                position=room.position,
                **stored_translations(room, "name"),
            )
            for room in forum.rooms.all()
        }
        roundtables = {
            roundtable.pk: Roundtable.objects.create(
                forum=copy,
                number=roundtable.number,
                title=roundtable.title,
                slug=roundtable.slug,
                background=roundtable.background,
                **stored_translations(roundtable, "title", "background"),
            )
            for roundtable in forum.roundtables.all()
        }
        sessions = Session.objects.in_forum(forum).prefetch_related("themes")
        for session in sessions.order_by("roundtable__number", "number"):
            new_session = Session.objects.create(
                roundtable=roundtables[session.roundtable_id],
                number=session.number,
                title=session.title,
                slug=session.slug,
                background=session.background,
                starts_at=same_local_time(session.starts_at, zone=forum, new_zone=copy, days=days),
                ends_at=same_local_time(session.ends_at, zone=forum, new_zone=copy, days=days),
                room=rooms.get(session.room_id),
                status=Status.DRAFT,
                **stored_translations(session, "title", "background"),
            )
            new_session.themes.set(session.themes.all())
            _issues_copy(session, new_session)
            if with_people:
                for participation in session.participations.order_by("position", "pk"):
                    Participation.objects.create(
                        session=new_session,
                        person_id=participation.person_id,
                        role=participation.role,
                        position=participation.position,
                    )
    return copy


def _issues_copy(session, new_session):
    copies = {}
    # Issues (no parent) first, so that each sub-point finds its issue's copy.
    for issue in sorted(session.issues.all(), key=lambda item: (item.parent_id is not None, item.position, item.pk)):
        copies[issue.pk] = Issue.objects.create(
            session=new_session,
            parent=copies.get(issue.parent_id),
            kind=issue.kind,
            text=issue.text,
            position=issue.position,
            **stored_translations(issue, "text"),
        )


def _local(forum, value):
    """The naive ISO 8601 time ``value`` of a programme file, in the forum's zone (a time the clocks skip
    is refused)."""
    if not value:
        return None
    local = datetime.datetime.fromisoformat(value)
    return forum_datetime(local.date(), local.time(), forum)


def _update(instance, **values):
    """Set the values that differ and save only then, so that loading twice changes nothing."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed or instance.pk is None:
        instance.full_clean()
        instance.save()
    return bool(changed)


@transaction.atomic
def programme_load(*, path):
    """Create or bring up to date the forum described by the JSON file at ``path``.

    Records are matched by their natural keys (slugs, numbers, positions), so running it twice
    changes nothing, and running it after an edit of the file applies just that edit. What it
    changes is recorded as one revision in the records' history.
    """
    path = Path(path)
    # English texts are set through their fields with English active, so that their original columns
    # hold English too; translations go into their own columns (title_fr, points_es...) when the file
    # gives them, and a translation the file does not mention keeps what the database has.
    with revision(comment=_("Loaded from %(file)s.") % {"file": path.name}), override(SOURCE_LANGUAGE):
        return _programme_load(path)


def _programme_load(path):
    data = json.loads(path.read_text(encoding="utf-8"))
    spec = data["forum"]

    forum = Forum.objects.filter(slug=spec["slug"]).first() or Forum(slug=spec["slug"])
    _update(
        forum,
        name=spec["name"],
        city=spec["city"],
        country=spec["country"],
        venue=spec.get("venue", ""),
        starts_on=datetime.date.fromisoformat(spec["starts_on"]),
        ends_on=datetime.date.fromisoformat(spec["ends_on"]),
        time_zone=spec["time_zone"],
        status=spec.get("status", "draft"),
        description=spec.get("description", ""),
        # The forum's own words for its roundtables and sessions ("Theme", "Working session"), if any.
        **{name: spec.get(name, "") for name in NAMING_FIELDS},
        **given_translations(spec, "name", "city", "country", "venue", "description"),
    )

    themes = {}
    for item in data.get("themes", []):
        theme = Theme.objects.filter(slug=item["slug"]).first() or Theme(slug=item["slug"])
        _update(
            theme,
            name=item["name"],
            description=item.get("description", ""),
            **given_translations(item, "name", "description"),
        )
        themes[theme.slug] = theme
    # Sessions may also name themes an earlier programme defined (Dhaka 2016 shares those of Athens 2009).
    used = {slug for item in data["roundtables"] for session in item["sessions"] for slug in session.get("themes", [])}
    themes.update({theme.slug: theme for theme in Theme.objects.filter(slug__in=used - themes.keys())})
    if missing := sorted(used - themes.keys()):
        raise ValidationError(
            _("Unknown themes %(slugs)s: load the programme that defines them first.") % {"slugs": ", ".join(missing)}
        )

    rooms = {}
    for position, item in enumerate(data.get("rooms", []), start=1):
        room = Room.objects.filter(forum=forum, name=item["name"]).first() or Room(forum=forum, name=item["name"])
        _update(room, capacity=item.get("capacity"), position=position, **given_translations(item, "name"))
        rooms[room.name] = room

    people = people_load(organisations=data.get("organisations", []), people=data.get("people", []))

    for item in data["roundtables"]:
        roundtable = Roundtable.objects.filter(forum=forum, number=item["number"]).first() or Roundtable(
            forum=forum, number=item["number"]
        )
        _update(
            roundtable,
            title=item["title"],
            slug=item["slug"],
            background=item.get("background", ""),
            **given_translations(item, "title", "background"),
        )
        for session_item in item["sessions"]:
            session = _session_load(forum, roundtable, session_item, themes, rooms)
            if "people" in session_item:  # a file without people leaves the roles given in the admin alone
                session_set_roles(session=session, roles=session_item["people"], people=people)

    for position, item in enumerate(data.get("documents", []), start=1):
        _document_load(forum, path.parent, item, position)

    return forum


def _session_load(forum, roundtable, item, themes, rooms):
    session = Session.objects.filter(roundtable=roundtable, number=item["number"]).first() or Session(
        roundtable=roundtable, number=item["number"]
    )
    _update(
        session,
        title=item["title"],
        slug=item["slug"],
        background=item.get("background", ""),
        starts_at=_local(forum, item.get("starts_at")),
        ends_at=_local(forum, item.get("ends_at")),
        room=rooms.get(item.get("room")),
        status=item.get("status", "published"),
        **given_translations(item, "title", "background"),
    )
    wanted = {themes[slug].pk for slug in item.get("themes", [])}
    if set(session.themes.values_list("pk", flat=True)) != wanted:
        session.themes.set(wanted)

    top_level = list(session.issues.filter(parent__isnull=True).order_by("position", "id"))
    for position, issue_item in enumerate(item.get("issues", []), start=1):
        issue = top_level[position - 1] if position <= len(top_level) else Issue(session=session, parent=None)
        _update(
            issue,
            kind=issue_item["kind"],
            text=issue_item["text"],
            position=position,
            **given_translations(issue_item, "text"),
        )
        translations = {
            code: issue_item[f"points_{code}"]
            for code in CONTENT_LANGUAGES
            if code != SOURCE_LANGUAGE and f"points_{code}" in issue_item
        }
        issue_set_points(issue=issue, texts=issue_item.get("points", []), translations=translations)
    for issue in top_level[len(item.get("issues", [])) :]:
        issue.delete()
    return session


def _document_load(forum, folder, item, position):
    """A document of ``forum`` with a file per language (``files``: {language: file name in ``folder``};
    an older file gives ``file`` and ``language``), attached to the sessions (codes such as "1.2") and
    roundtables (numbers) it names."""
    document = Document.objects.filter(forum=forum, title=item["title"]).first() or Document(
        forum=forum, title=item["title"]
    )
    _update(
        document,
        kind=item["kind"],
        description=item.get("description", ""),
        circulated_on=datetime.date.fromisoformat(item["circulated_on"]) if item.get("circulated_on") else None,
        position=position,
        **given_translations(item, "title", "description"),
    )
    sessions = [
        Session.objects.get(
            roundtable__forum=forum, roundtable__number=int(code.split(".")[0]), number=int(code.split(".")[1])
        )
        for code in item.get("sessions", [])
    ]
    roundtables = [Roundtable.objects.get(forum=forum, number=number) for number in item.get("roundtables", [])]
    if set(document.sessions.values_list("pk", flat=True)) != {session.pk for session in sessions}:
        document.sessions.set(sessions)
    if set(document.roundtables.values_list("pk", flat=True)) != {roundtable.pk for roundtable in roundtables}:
        document.roundtables.set(roundtables)
    files = item.get("files") or {item.get("language", "en"): item["file"]}
    for language, name in files.items():
        document_file = document.files.filter(language=language).first() or DocumentFile(
            document=document, language=language
        )
        if not document_file.file or not document_file.file.storage.exists(document_file.file.name):
            document_file.file.save(Path(name).name, ContentFile((folder / name).read_bytes()), save=False)
            document_file.full_clean()
            document_file.save()


# The demo contributions: a forum of their own (in ``programme_load``'s format) and approved contributions.
DEMO_PATH = Path(__file__).resolve().parents[1] / "contributions" / "data" / "chisinau-2011.json"


@transaction.atomic
def contributions_load_demo(*, path=DEMO_PATH):
    """Create or bring up to date the demo contributions and the forum that holds them.

    The file has a forum in the format of ``programme_load`` (here without roundtables) and a list
    of approved contributions, matched by slug; their themes must already exist.
    """
    path = Path(path)
    data = json.loads(path.read_text(encoding="utf-8"))
    forum = programme_load(path=path)
    loaded = []
    for item in data.get("contributions", []):
        loaded.append(_contribution_load(forum, item))
    return forum, loaded


def _contribution_load(forum, item):
    slugs = item.get("themes", [])
    themes = {theme.slug: theme for theme in Theme.objects.filter(slug__in=slugs)}
    missing = [slug for slug in slugs if slug not in themes]
    if missing:
        raise ValidationError(
            _("Unknown themes %(slugs)s: load the programme that defines them first.") % {"slugs": ", ".join(missing)}
        )
    contribution = Contribution.objects.filter(slug=item["slug"]).first() or Contribution(
        slug=item["slug"], forum=forum
    )
    submitted_at = _local(forum, item["submitted_at"])
    _update(
        contribution,
        forum=forum,
        roundtable=None,
        session=None,
        title=item["title"],
        organisation_name=item["organisation_name"],
        organisation_kind=item["organisation_kind"],
        country=item.get("country", ""),
        summary=item["summary"],
        recommendations="\n\n".join(item.get("recommendations", [])),
        language=item.get("language", "en"),
        status=Contribution.Status.APPROVED,
        rejection_reason="",
        submitted_at=submitted_at,
        reviewed_at=contribution.reviewed_at or submitted_at,
    )
    wanted = {theme.pk for theme in themes.values()}
    if set(contribution.themes.values_list("pk", flat=True)) != wanted:
        contribution.themes.set(wanted)

    existing = list(contribution.practices.order_by("position", "id"))
    for position, practice_item in enumerate(item.get("practices", []), start=1):
        practice = existing[position - 1] if position <= len(existing) else GoodPractice(contribution=contribution)
        _update(practice, position=position, **{name: practice_item[name] for name in PRACTICE_FIELDS})
    for practice in existing[len(item.get("practices", [])) :]:
        practice.delete()
    return contribution
