"""A whole forum as one archive file, and back.

The archive is a zip holding ``forum.json`` (the forum, its rooms, roundtables with the user names
of their coordinators, sessions, issues with their sub-points, roles, and the themes, people and
organisations they use, plus the documents with their sessions and roundtables) and ``files/`` (each
document's files, one per language). Records
refer to each other by natural keys (slugs, numbers, names, user names), so an archive can be
imported into any database that does not already hold a forum with the same slug. Every concrete
field is carried over, including timestamps.

An archive may come from anywhere, so the import checks all of it before it writes anything: the
names in the zip, the size of every part (from the zip's header, then counted while reading,
since a header can lie), the shape of ``forum.json`` (a JSON Schema), every value against its
model field, the references between records, and every file as an upload is checked
(``validate_document_file``: type by content, size limit). Every problem found is reported at
once, and nothing is imported. Then the records are written in one transaction, and the files
written meanwhile are removed if it fails.

Longer than 400 lines: export and import of one archive format share its schema, field lists and
safety checks; the import checks the whole archive before writing anything.
"""

import dataclasses
import datetime
import hashlib
import json
import re
import tempfile
import zipfile
import zlib
from pathlib import PurePosixPath

import jsonschema
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import DatabaseError, models, transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone

from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Document, DocumentFile, Issue, Organisation, Participation, Person, Room, Session
from sessions.validators import validate_document_file

FORMAT = "gfmd-forum-archive"
VERSION = 2  # 2: a document has files per language and any number of sessions and roundtables
READABLE_VERSIONS = (1, 2)  # a version 1 archive (one file, one place per document) is read as version 2
DATA_NAME = "forum.json"
# forum.json of the 300-session synthetic forum is under 1 MB; this leaves ample room.
DATA_MAX_BYTES = 20 * 1024 * 1024
# Documents' files are stored under this folder of the media storage (DocumentFile.file's upload_to).
DOCUMENTS_FOLDER = "documents"
CHUNK_BYTES = 64 * 1024


@dataclasses.dataclass
class ImportedForum:
    """What ``forum_import`` made, and what it could not carry over (to tell the one importing)."""

    forum: Forum
    notes: list[str] = dataclasses.field(default_factory=list)


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
    roundtables = list(forum.roundtables.order_by("number").prefetch_related("coordinators"))
    sessions = list(
        Session.objects.in_forum(forum)
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
        Document.objects.filter(forum=forum)
        .prefetch_related("files", "sessions__roundtable", "roundtables")
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
                "coordinators": sorted(user.get_username() for user in roundtable.coordinators.all()),
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
            entry = {
                **_dump(document),
                "sessions": sorted([s.roundtable.number, s.number] for s in document.sessions.all()),
                "roundtables": sorted(roundtable.number for roundtable in document.roundtables.all()),
                "files": [],
            }
            for document_file in sorted(document.files.all(), key=lambda item: item.language):
                path = f"files/{index:04d}/{document_file.language}/{PurePosixPath(document_file.file.name).name}"
                digest = hashlib.sha256()
                with document_file.file.open("rb") as handle, archive.open(path, "w") as member:
                    for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
                        digest.update(chunk)
                        member.write(chunk)
                entry["files"].append(
                    {
                        **_dump(document_file),
                        "path": path,
                        "name": document_file.file.name,
                        "sha256": digest.hexdigest(),
                    }
                )
            data["documents"].append(entry)
        data["exported_at"] = timezone.now().isoformat()
        archive.writestr(DATA_NAME, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True))
    return data


# The shape of forum.json. Every model value is written as a string (or null); the keys records
# are found by must be there. Values are then checked against their model fields (_field_problems).
_TEXT = {"type": "string"}
_TEXT_OR_NULL = {"type": ["string", "null"]}


def _array(items):
    return {"type": "array", "items": items}


def _record(model, *keys, **nested):
    properties = {field.name: _TEXT_OR_NULL for field in _fields(model)}
    properties.update(dict.fromkeys(keys, _TEXT), **nested)
    return {"type": "object", "required": [*keys, *nested], "properties": properties}


def _optional(schema, *names):
    schema["required"] = [name for name in schema["required"] if name not in names]
    return schema


ARCHIVE_SCHEMA = {
    "type": "object",
    "required": [
        "format",
        "version",
        "forum",
        "themes",
        "organisations",
        "people",
        "rooms",
        "roundtables",
        "documents",
    ],
    "properties": {
        "format": _TEXT,
        "version": {"type": "integer"},
        "forum": _record(Forum, "slug", "name"),
        "themes": _array(_record(Theme, "slug", "name")),
        "organisations": _array(_record(Organisation, "slug", "name")),
        "people": _array(_record(Person, "slug", "name", organisation=_TEXT_OR_NULL)),
        "rooms": _array(_record(Room, "name")),
        "roundtables": _array(
            _optional(
                _record(
                    Roundtable,
                    "number",
                    "slug",
                    # Archives written before coordinators were exported have no such key.
                    coordinators=_array(_TEXT),
                    sessions=_array(
                        _record(
                            Session,
                            "number",
                            "slug",
                            room=_TEXT_OR_NULL,
                            themes=_array(_TEXT),
                            issues=_array(_record(Issue, points=_array(_record(Issue)))),
                            participations=_array(_record(Participation, person=_TEXT)),
                        )
                    ),
                ),
                "coordinators",
            )
        ),
        "documents": _array(
            _record(
                Document,
                "title",
                sessions=_array(
                    {
                        "type": "array",
                        "prefixItems": [{"type": "integer"}, {"type": "integer"}],
                        "minItems": 2,
                        "maxItems": 2,
                    }
                ),
                roundtables=_array({"type": "integer"}),
                files=_array(
                    _record(
                        DocumentFile,
                        "language",
                        path=_TEXT,
                        name=_TEXT,
                        sha256={"type": "string", "pattern": "^[0-9a-f]{64}$"},
                    )
                ),
            )
        ),
    },
}


def _upgraded(data):
    """A version 1 archive's documents (one file in one language, attached to the forum, one roundtable or
    one session) in the shape of version 2; anything else is left for the checks to report."""
    if data.get("version") != 1 or not isinstance(data.get("documents"), list):
        return data
    documents = []
    for item in data["documents"]:
        if not isinstance(item, dict):
            documents.append(item)
            continue
        item = dict(item)
        attached = item.pop("attached_to", {}) or {}
        file = item.pop("file", None)
        language = item.pop("language", None) or "en"
        item["sessions"] = [attached["session"]] if isinstance(attached, dict) and "session" in attached else []
        item["roundtables"] = (
            [attached["roundtable"]] if isinstance(attached, dict) and "roundtable" in attached else []
        )
        item["files"] = [{**file, "language": language}] if isinstance(file, dict) else []
        documents.append(item)
    return {**data, "version": VERSION, "documents": documents}


class _Refused(Exception):
    """The archive cannot be read further; ``problems`` says why (with what was found before)."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems


def forum_import(*, fileobj):
    """Create the forum held in the archive ``fileobj``; return an ``ImportedForum``.

    Themes, organisations and people that already exist (same slug) are reused as they are.
    Coordinators are matched by user name with the staff accounts of this portal; those it does
    not have are left out and named in the notes. An archive with any problem raises a
    ValidationError listing them all, and nothing is imported.
    """
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, EOFError, OSError) as error:
        raise ValidationError("This is not a forum archive: the file is not a zip archive.") from error
    with archive:
        try:
            data = _checked(archive)
        except _Refused as refused:
            raise ValidationError(refused.problems) from None
        written = []
        try:
            with transaction.atomic():
                return _import(data, archive, written)
        except DatabaseError as error:
            _remove(written)
            raise ValidationError(
                f"The archive's records break a rule of the database, so nothing was imported: {error}"
            ) from error
        except OSError as error:
            _remove(written)
            raise ValidationError(f"A file could not be written to the media storage: {error}") from error
        except BaseException:
            _remove(written)
            raise


def _remove(names):
    storage = DocumentFile._meta.get_field("file").storage
    for name in names:
        storage.delete(name)


# --- Checks: everything is looked at, nothing is written -------------------------------------------


def _checked(archive):
    """Return forum.json's data once every part of the archive passed; raise _Refused otherwise."""
    problems = _name_problems(archive)
    try:
        info = archive.getinfo(DATA_NAME)
    except KeyError:
        raise _Refused([*problems, f"This is not a forum archive: {DATA_NAME} is missing."]) from None
    raw, problem = _read_capped(archive, info, DATA_MAX_BYTES)
    if problem:
        raise _Refused([*problems, problem])
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as error:
        raise _Refused([*problems, f"{DATA_NAME} is not valid JSON: {error}."]) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") not in READABLE_VERSIONS:
        raise _Refused([*problems, "This archive's format or version is not one this portal reads."])
    data = _upgraded(data)
    shape = list(jsonschema.Draft202012Validator(ARCHIVE_SCHEMA).iter_errors(data))
    problems += [f"{DATA_NAME}, {_where(error.path)}: {error.message}." for error in shape]
    if shape:  # the checks below read the records; they need the shape right
        raise _Refused(problems)

    problems += _field_problems(data)
    problems += _reference_problems(data)
    problems += _file_problems(archive, data["documents"])
    if problems:
        raise _Refused(problems)
    return data


def _where(path):
    """A place in forum.json as people read it: roundtables[0].sessions[2].themes."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "the whole file"


_DRIVE = re.compile(r"^[A-Za-z]:")


def _unsafe(name):
    """Whether ``name`` could leave the folder it is put in: absolute, a drive, “..”, a backslash…"""
    if not name or name.startswith("/") or _DRIVE.match(name) or "\\" in name or "\x00" in name:
        return True
    return any(part in {"", ".", ".."} for part in name.split("/"))


def _name_problems(archive):
    problems, seen = [], set()
    for info in archive.infolist():
        name = info.filename.removesuffix("/") if info.is_dir() else info.filename
        if _unsafe(name):
            problems.append(f"The archive holds “{info.filename}”: absolute names and names with “..” are refused.")
        elif info.filename in seen:
            problems.append(f"The archive holds “{info.filename}” twice.")
        seen.add(info.filename)
    return problems


def _records(data):
    """(place, model, values) of every record in forum.json."""
    yield "forum", Forum, data["forum"]
    for key, model in [("themes", Theme), ("organisations", Organisation), ("people", Person), ("rooms", Room)]:
        for index, item in enumerate(data[key]):
            yield f"{key}[{index}]", model, item
    for r, roundtable in enumerate(data["roundtables"]):
        yield f"roundtables[{r}]", Roundtable, roundtable
        for s, session in enumerate(roundtable["sessions"]):
            where = f"roundtables[{r}].sessions[{s}]"
            yield where, Session, session
            for i, issue in enumerate(session["issues"]):
                yield f"{where}.issues[{i}]", Issue, issue
                for p, point in enumerate(issue["points"]):
                    yield f"{where}.issues[{i}].points[{p}]", Issue, point
            for p, participation in enumerate(session["participations"]):
                yield f"{where}.participations[{p}]", Participation, participation
    for index, item in enumerate(data["documents"]):
        yield f"documents[{index}]", Document, item
        for f, file_item in enumerate(item["files"]):
            yield f"documents[{index}].files[{f}]", DocumentFile, file_item


def _field_problems(data):
    """Every value checked by its model field, as a form would: type, length, choices, blank."""
    problems = []
    for where, model, item in _records(data):
        for model_field in _fields(model):
            if model_field.name not in item:
                continue
            try:
                model_field.clean(item[model_field.name], None)
            except ValidationError as error:
                for message in error.messages:
                    problems.append(f"{DATA_NAME}, {where}.{model_field.name}: {message}")
    return problems


def _duplicates(values):
    seen, twice = set(), []
    for value in values:
        if value in seen and value not in twice:
            twice.append(value)
        seen.add(value)
    return twice


def _reference_problems(data):
    """Records that name others the archive lacks, keys given twice, a forum already here."""
    problems = []
    slug = data["forum"]["slug"]
    if Forum.objects.filter(slug=slug).exists():
        problems.append(f"A forum with the slug “{slug}” already exists.")
    themes = {item["slug"] for item in data["themes"]}
    organisations = {item["slug"] for item in data["organisations"]}
    people = {item["slug"] for item in data["people"]}
    rooms = [item["name"] for item in data["rooms"]]
    for name in _duplicates(rooms):
        problems.append(f"{DATA_NAME}: the room “{name}” is given twice.")
    for item in data["people"]:
        if item["organisation"] is not None and item["organisation"] not in organisations:
            problems.append(f"{DATA_NAME}: {item['slug']} belongs to “{item['organisation']}”, not in the archive.")
    numbers = [item["number"] for item in data["roundtables"]]
    for number in _duplicates(numbers):
        problems.append(f"{DATA_NAME}: roundtable {number} is given twice.")
    sessions = set()
    for roundtable in data["roundtables"]:
        for number in _duplicates(item["number"] for item in roundtable["sessions"]):
            problems.append(f"{DATA_NAME}: session {number} of roundtable {roundtable['number']} is given twice.")
        for session in roundtable["sessions"]:
            code = f"session {session['number']} of roundtable {roundtable['number']}"
            sessions.add((roundtable["number"], session["number"]))
            if session["room"] is not None and session["room"] not in rooms:
                problems.append(f"{DATA_NAME}: {code} is in the room “{session['room']}”, not in the archive.")
            problems += [
                f"{DATA_NAME}: {code} has the theme “{theme}”, not in the archive."
                for theme in session["themes"]
                if theme not in themes
            ]
            problems += [
                f"{DATA_NAME}: {code} names the person “{item['person']}”, not in the archive."
                for item in session["participations"]
                if item["person"] not in people
            ]
    for item in data["documents"]:
        if any(tuple(str(n) for n in code) not in sessions for code in item["sessions"]):
            problems.append(f"{DATA_NAME}: the document “{item['title']}” is attached to a session not in the archive.")
        if any(str(number) not in numbers for number in item["roundtables"]):
            problems.append(
                f"{DATA_NAME}: the document “{item['title']}” is attached to a roundtable not in the archive."
            )
        for language in _duplicates(file["language"] for file in item["files"]):
            problems.append(f"{DATA_NAME}: the document “{item['title']}” has two files in the language “{language}”.")
    return problems


def _file_problems(archive, documents):
    """Each document's files checked like uploads, read one at a time into a bounded temporary file."""
    problems = []
    files = [(document, entry) for document in documents for entry in document["files"]]
    for item, entry in files:
        path, name = entry["path"], entry["name"]
        if _unsafe(name) or PurePosixPath(name).parts[0] != DOCUMENTS_FOLDER:
            problems.append(f"The document “{item['title']}” would be stored as “{name}”, outside {DOCUMENTS_FOLDER}/.")
            continue
        try:
            info = archive.getinfo(path)
        except KeyError:
            problems.append(f"The file {path} of the document “{item['title']}” is missing from the archive.")
            continue
        if _unsafe(path):
            continue  # reported with the archive's names
        if path == DATA_NAME:
            problems.append(f"The document “{item['title']}” names {DATA_NAME} as its file.")
            continue
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as copy:
            digest, problem = _copy_capped(archive, info, settings.DOCUMENT_MAX_UPLOAD_BYTES, copy)
            if problem:
                problems.append(problem)
                continue
            if digest != entry["sha256"]:
                problems.append(f"The file {path} is damaged in this archive (its checksum differs).")
                continue
            try:
                validate_document_file(File(copy, name=name))
            except ValidationError as error:
                problems += [f"{path}: {message}" for message in error.messages]
    return problems


def _too_large(info, size, limit):
    return (
        f"{info.filename} is {filesizeformat(size)}; the largest accepted is {filesizeformat(limit)}. It was not read."
    )


def _copy_capped(archive, info, limit, target):
    """Copy the member ``info`` into ``target``, never more than ``limit`` bytes: its declared size
    is checked first, and the bytes are counted while they come, in case the declaration lies.
    Return (sha256 hex digest, None), or (None, the problem)."""
    if info.file_size > limit:
        return None, _too_large(info, info.file_size, limit)
    digest, count = hashlib.sha256(), 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(CHUNK_BYTES):
                count += len(chunk)
                if count > limit:
                    return None, f"{info.filename} holds more than it declares and more than {filesizeformat(limit)}."
                digest.update(chunk)
                target.write(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, OSError) as error:
        return None, f"{info.filename} cannot be read from the archive: {error}."
    target.seek(0)
    return digest.hexdigest(), None


def _read_capped(archive, info, limit):
    with tempfile.SpooledTemporaryFile(max_size=limit) as copy:
        _digest, problem = _copy_capped(archive, info, limit, copy)
        return (None, problem) if problem else (copy.read(), None)


# --- Import: the archive passed every check ---------------------------------------------------------


def _import(data, archive, written):
    forum = _create(Forum, data["forum"])
    themes = {
        item["slug"]: Theme.objects.filter(slug=item["slug"]).first() or _create(Theme, item) for item in data["themes"]
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

    notes = []
    roundtables, sessions = {}, {}
    for roundtable_item in data["roundtables"]:
        roundtable = _create(Roundtable, roundtable_item, forum=forum)
        roundtables[roundtable.number] = roundtable
        notes += _coordinators_restore(roundtable, roundtable_item.get("coordinators", []))
        for session_item in roundtable_item["sessions"]:
            session = _create(Session, session_item, roundtable=roundtable, room=rooms.get(session_item["room"]))
            session.themes.set([themes[slug] for slug in session_item["themes"]])
            sessions[(roundtable.number, session.number)] = session
            for issue_item in session_item["issues"]:
                issue = _create(Issue, issue_item, session=session)
                for point_item in issue_item["points"]:
                    _create(Issue, point_item, session=session, parent=issue)
            for participation_item in session_item["participations"]:
                _create(Participation, participation_item, session=session, person=people[participation_item["person"]])

    for item in data["documents"]:
        document = _create(Document, item, forum=forum)
        document.sessions.set([sessions[tuple(code)] for code in item["sessions"]])
        document.roundtables.set([roundtables[number] for number in item["roundtables"]])
        for entry in item["files"]:
            document_file = DocumentFile(**_values(DocumentFile, entry), document=document)
            _document_file_restore(document_file, archive, entry, written)
            document_file.save()
    return ImportedForum(forum=forum, notes=notes)


def _coordinators_restore(roundtable, usernames):
    """Give the roundtable the coordinators named in the archive that this portal has as staff.

    An archive never creates accounts: an account with a coordinator's user name may not even
    be the same person here. Those missing (or not staff) are named in the returned notes.
    """
    if not usernames:
        return []
    User = get_user_model()
    found = {
        user.get_username(): user
        for user in User.objects.filter(**{f"{User.USERNAME_FIELD}__in": usernames, "is_staff": True})
    }
    roundtable.coordinators.set(found.values())
    return [
        f"Roundtable {roundtable.number}: no staff account “{username}” here, so it is not among its coordinators."
        for username in usernames
        if username not in found
    ]


def _document_file_restore(document_file, archive, entry, written):
    """Put the file back under its original name, or reuse it if storage already holds it unchanged."""
    storage = document_file.file.storage
    name = entry["name"]
    if storage.exists(name) and _stored_digest(storage, name) == entry["sha256"]:
        document_file.file.name = name
        return
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as copy:
        digest, problem = _copy_capped(
            archive, archive.getinfo(entry["path"]), settings.DOCUMENT_MAX_UPLOAD_BYTES, copy
        )
        if problem or digest != entry["sha256"]:  # checked before; the archive changed meanwhile
            raise ValidationError(problem or f"The file {entry['path']} is damaged in this archive.")
        document_file.file.name = storage.save(name, File(copy, name=name))
    written.append(document_file.file.name)


def _stored_digest(storage, name):
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(CHUNK_BYTES), b""):
            digest.update(chunk)
    return digest.hexdigest()


def archive_name(forum):
    return f"{forum.slug}-{datetime.date.today().isoformat()}.zip"
