"""A whole forum as one archive file, and back.

The archive is a zip holding ``forum.json`` (the forum, its rooms, roundtables, sessions, issues
with their sub-points, roles, and the themes, people and organisations they use, plus documents'
metadata) and ``files/`` (the documents' files). Records refer to each other by natural keys
(slugs, numbers, names), so an archive can be imported into any database that does not already
hold a forum with the same slug. Every concrete field is carried over, including timestamps.
"""

import datetime
import hashlib
import json
import zipfile
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone

from sessions.models import Document, Issue, Organisation, Participation, Person, Room, Session

from .models import Forum, Roundtable, Theme

FORMAT = "gfmd-forum-archive"
VERSION = 1


def _fields(model):
    """The model's own values: concrete fields that are neither the key nor a relation."""
    return [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.is_relation and not isinstance(field, models.FileField)
    ]


def _dump(obj):
    return {
        field.name: field.value_to_string(obj) if getattr(obj, field.attname) is not None else None
        for field in _fields(type(obj))
    }


def _values(model, data):
    values = {}
    for field in _fields(model):
        if field.name in data:
            raw = data[field.name]
            values[field.name] = None if raw is None else field.to_python(raw)
    return values


def _timestamps(model):
    return [
        field.name
        for field in _fields(model)
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add)
    ]


def _create(model, data, **relations):
    """Create a row with the archived values, then put back the timestamps save() overwrote."""
    values = _values(model, data)
    obj = model(**values, **relations)
    obj.save()
    stamps = {name: values[name] for name in _timestamps(model) if values.get(name) is not None}
    if stamps:
        model.objects.filter(pk=obj.pk).update(**stamps)
        for name, value in stamps.items():
            setattr(obj, name, value)
    return obj


def forum_export(*, forum, fileobj):
    """Write ``forum`` as an archive into the binary file object ``fileobj``."""
    roundtables = list(forum.roundtables.order_by("number"))
    sessions = list(
        Session.objects.filter(roundtable__forum=forum)
        .select_related("roundtable", "room")
        .prefetch_related("themes", "participations__person")
        .order_by("roundtable__number", "number")
    )
    issues = list(Issue.objects.filter(session__roundtable__forum=forum).order_by("position", "id"))
    participations = [p for session in sessions for p in session.participations.all()]
    people = {p.person for p in participations}
    organisations = {person.organisation for person in people if person.organisation_id}
    themes = {theme for session in sessions for theme in session.themes.all()}
    documents = list(
        Document.objects.filter(
            models.Q(forum=forum) | models.Q(roundtable__forum=forum) | models.Q(session__roundtable__forum=forum)
        )
        .select_related("roundtable", "session__roundtable")
        .order_by("pk")
    )

    def issue_tree(session):
        own = [issue for issue in issues if issue.session_id == session.pk]
        return [
            {
                **_dump(issue),
                "points": [_dump(point) for point in own if point.parent_id == issue.pk],
            }
            for issue in own
            if issue.parent_id is None
        ]

    data = {
        "format": FORMAT,
        "version": VERSION,
        "forum": _dump(forum),
        "themes": sorted((_dump(theme) for theme in themes), key=lambda item: item["slug"]),
        "organisations": sorted((_dump(org) for org in organisations), key=lambda item: item["slug"]),
        "people": sorted(
            (
                {**_dump(person), "organisation": person.organisation.slug if person.organisation_id else None}
                for person in people
            ),
            key=lambda item: item["slug"],
        ),
        "rooms": [_dump(room) for room in forum.rooms.order_by("position", "name")],
        "roundtables": [
            {
                **_dump(roundtable),
                "sessions": [
                    {
                        **_dump(session),
                        "room": session.room.name if session.room_id else None,
                        "themes": sorted(theme.slug for theme in session.themes.all()),
                        "issues": issue_tree(session),
                        "participations": [{**_dump(p), "person": p.person.slug} for p in session.participations.all()],
                    }
                    for session in sessions
                    if session.roundtable_id == roundtable.pk
                ],
            }
            for roundtable in roundtables
        ],
        "documents": [],
    }

    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, document in enumerate(documents, start=1):
            entry = {**_dump(document), "attached_to": _attachment(document), "file": None}
            if document.file:
                with document.file.open("rb") as handle:
                    content = handle.read()
                path = f"files/{index:04d}/{PurePosixPath(document.file.name).name}"
                archive.writestr(path, content)
                entry["file"] = {
                    "path": path,
                    "name": document.file.name,
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            data["documents"].append(entry)
        data["exported_at"] = timezone.now().isoformat()
        archive.writestr("forum.json", json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
    return data


def _attachment(document):
    if document.session_id:
        return {"session": [document.session.roundtable.number, document.session.number]}
    if document.roundtable_id:
        return {"roundtable": document.roundtable.number}
    return {"forum": True}


@transaction.atomic
def forum_import(*, fileobj):
    """Create the forum held in the archive ``fileobj``; return it.

    Themes, organisations and people that already exist (same slug) are reused as they are.
    """
    with zipfile.ZipFile(fileobj) as archive:
        try:
            data = json.loads(archive.read("forum.json"))
        except KeyError as error:
            raise ValidationError("This is not a forum archive: forum.json is missing.") from error
        if data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValidationError("This archive's format or version is not one this portal reads.")
        slug = data["forum"]["slug"]
        if Forum.objects.filter(slug=slug).exists():
            raise ValidationError(f"A forum with the slug “{slug}” already exists; nothing was imported.")

        forum = _create(Forum, data["forum"])
        themes = {
            item["slug"]: Theme.objects.filter(slug=item["slug"]).first() or _create(Theme, item)
            for item in data["themes"]
        }
        organisations = {
            item["slug"]: Organisation.objects.filter(slug=item["slug"]).first() or _create(Organisation, item)
            for item in data["organisations"]
        }
        people = {}
        for item in data["people"]:
            people[item["slug"]] = Person.objects.filter(slug=item["slug"]).first() or _create(
                Person, item, organisation=organisations.get(item["organisation"])
            )
        rooms = {item["name"]: _create(Room, item, forum=forum) for item in data["rooms"]}

        roundtables, sessions = {}, {}
        for roundtable_item in data["roundtables"]:
            roundtable = _create(Roundtable, roundtable_item, forum=forum)
            roundtables[roundtable.number] = roundtable
            for session_item in roundtable_item["sessions"]:
                session = _create(Session, session_item, roundtable=roundtable, room=rooms.get(session_item["room"]))
                session.themes.set([themes[slug] for slug in session_item["themes"]])
                sessions[(roundtable.number, session.number)] = session
                for issue_item in session_item["issues"]:
                    issue = _create(Issue, issue_item, session=session)
                    for point_item in issue_item["points"]:
                        _create(Issue, point_item, session=session, parent=issue)
                for participation_item in session_item["participations"]:
                    _create(
                        Participation, participation_item, session=session, person=people[participation_item["person"]]
                    )

        for item in data["documents"]:
            attached = item["attached_to"]
            relations = {}
            if "session" in attached:
                relations["session"] = sessions[tuple(attached["session"])]
            elif "roundtable" in attached:
                relations["roundtable"] = roundtables[attached["roundtable"]]
            else:
                relations["forum"] = forum
            document = Document(**_values(Document, item), **relations)
            if item["file"]:
                content = archive.read(item["file"]["path"])
                if hashlib.sha256(content).hexdigest() != item["file"]["sha256"]:
                    raise ValidationError(f"The file {item['file']['path']} is damaged in this archive.")
                _document_file_restore(document, item["file"]["name"], content)
            document.save()
            stamps = {name: _values(Document, item)[name] for name in _timestamps(Document)}
            Document.objects.filter(pk=document.pk).update(**{k: v for k, v in stamps.items() if v is not None})
    return forum


def _document_file_restore(document, name, content):
    """Put the file back under its original name, or reuse it if storage already holds it unchanged."""
    storage = document.file.storage
    if storage.exists(name):
        with storage.open(name, "rb") as handle:
            if handle.read() == content:
                document.file.name = name
                return
    document.file.name = storage.save(name, ContentFile(content))


def archive_name(forum):
    return f"{forum.slug}-{datetime.date.today().isoformat()}.zip"
