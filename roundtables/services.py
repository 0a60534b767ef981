"""Writes on forums and roundtables: loading a programme, the committee's group."""

import datetime
import json
from pathlib import Path

from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import transaction

from sessions.models import Document, Issue, Room, Session
from sessions.services import issue_set_points

from .models import Forum, Roundtable, Theme

ORGANISING_COMMITTEE = "Organising committee"
PROGRAMME_APPS = ["roundtables", "programme_sessions"]


def organiser_group_ensure():
    """The "Organising committee" group, with every permission on the programme's records."""
    group, _ = Group.objects.get_or_create(name=ORGANISING_COMMITTEE)
    permissions = Permission.objects.filter(content_type__app_label__in=PROGRAMME_APPS)
    group.permissions.add(*permissions)
    return group


def _local(forum, value):
    if not value:
        return None
    return datetime.datetime.fromisoformat(value).replace(tzinfo=forum.zone)


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
    changes nothing, and running it after an edit of the file applies just that edit.
    """
    path = Path(path)
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
    )

    themes = {}
    for item in data.get("themes", []):
        theme = Theme.objects.filter(slug=item["slug"]).first() or Theme(slug=item["slug"])
        _update(theme, name=item["name"], description=item.get("description", ""))
        themes[theme.slug] = theme

    rooms = {}
    for position, item in enumerate(data.get("rooms", []), start=1):
        room = Room.objects.filter(forum=forum, name=item["name"]).first() or Room(forum=forum, name=item["name"])
        _update(room, capacity=item.get("capacity"), position=position)
        rooms[room.name] = room

    for item in data["roundtables"]:
        roundtable = Roundtable.objects.filter(forum=forum, number=item["number"]).first() or Roundtable(
            forum=forum, number=item["number"]
        )
        _update(roundtable, title=item["title"], slug=item["slug"], background=item.get("background", ""))
        for session_item in item["sessions"]:
            _session_load(forum, roundtable, session_item, themes, rooms)

    for position, item in enumerate(data.get("documents", []), start=1):
        _document_load(forum, path.parent / item["file"], item, position)

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
    )
    wanted = {themes[slug].pk for slug in item.get("themes", [])}
    if set(session.themes.values_list("pk", flat=True)) != wanted:
        session.themes.set(wanted)

    top_level = list(session.issues.filter(parent__isnull=True).order_by("position", "id"))
    for position, issue_item in enumerate(item.get("issues", []), start=1):
        issue = top_level[position - 1] if position <= len(top_level) else Issue(session=session, parent=None)
        _update(issue, kind=issue_item["kind"], text=issue_item["text"], position=position)
        issue_set_points(issue=issue, texts=issue_item.get("points", []))
    for issue in top_level[len(item.get("issues", [])) :]:
        issue.delete()


def _document_load(forum, file_path, item, position):
    document = Document.objects.filter(forum=forum, title=item["title"]).first() or Document(
        forum=forum, title=item["title"]
    )
    if not document.file or not document.file.storage.exists(document.file.name):
        document.file.save(file_path.name, ContentFile(file_path.read_bytes()), save=False)
    _update(
        document,
        kind=item["kind"],
        description=item.get("description", ""),
        language=item.get("language", "en"),
        circulated_on=datetime.date.fromisoformat(item["circulated_on"]) if item.get("circulated_on") else None,
        position=position,
    )
