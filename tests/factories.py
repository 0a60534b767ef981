"""make_* helpers that build programme records with sensible defaults; pass overrides as keywords."""

import datetime
import itertools
import zoneinfo

from django.contrib.auth import get_user_model
from django.db.models import Max

from roundtables.models import Forum, Roundtable, Status, Theme
from sessions.models import Document, DocumentFile, Issue, Organisation, Participation, Person, Room, Session

_counter = itertools.count(1)


def _next():
    return next(_counter)


def make_user(**overrides):
    n = _next()
    values = {"username": f"user{n}", "email": f"user{n}@example.org"}
    values.update(overrides)
    password = values.pop("password", "a-long-test-password")
    user = get_user_model().objects.create_user(**values)
    user.set_password(password)
    user.save()
    return user


def make_forum(**overrides):
    n = _next()
    values = {
        "name": f"Civil Society Days {n}",
        "slug": f"forum-{n}",
        "city": "Athens",
        "country": "Greece",
        "starts_on": datetime.date(2009, 11, 2),
        "ends_on": datetime.date(2009, 11, 3),
        "time_zone": "Europe/Athens",
        "status": Status.PUBLISHED,
    }
    values.update(overrides)
    return Forum.objects.create(**values)


def make_roundtable(*, sessions=0, **overrides):
    forum = overrides.pop("forum", None) or make_forum()
    number = overrides.pop("number", None) or (forum.roundtables.count() + 1)
    values = {"forum": forum, "number": number, "title": f"Roundtable title {number}", "slug": f"roundtable-{number}"}
    values.update(overrides)
    roundtable = Roundtable.objects.create(**values)
    for _ in range(sessions):
        make_session(roundtable=roundtable)
    return roundtable


def make_room(**overrides):
    forum = overrides.pop("forum", None) or make_forum()
    values = {"forum": forum, "name": f"Room {_next()}", "capacity": 100}
    values.update(overrides)
    return Room.objects.create(**values)


def forum_time(forum, day, hour, minute=0):
    """An aware datetime on the forum's ``day`` (0 = first day) at ``hour``:``minute`` local time."""
    date = forum.starts_on + datetime.timedelta(days=day)
    return datetime.datetime.combine(date, datetime.time(hour, minute), tzinfo=zoneinfo.ZoneInfo(forum.time_zone))


def make_session(**overrides):
    roundtable = overrides.pop("roundtable", None) or make_roundtable()
    number = overrides.pop("number", None) or (roundtable.sessions.count() + 1)
    forum = roundtable.forum
    values = {
        "roundtable": roundtable,
        "number": number,
        "title": f"Session title {roundtable.number}.{number}",
        "slug": f"session-{number}",
        "background": "Background paragraph.",
        "starts_at": forum_time(forum, 0, 9 + number % 8),
        "ends_at": forum_time(forum, 0, 10 + number % 8),
        "status": Status.PUBLISHED,
    }
    values.update(overrides)
    themes = values.pop("themes", [])
    session = Session.objects.create(**values)
    if themes:
        session.themes.set(themes)
    return session


def _next_position(rows):
    """After the last of ``rows`` (a session's issues or people): made later, shown later. Positions are
    small integers in the database, so a counter over the whole suite would overflow them."""
    last = rows.aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


def make_issue(**overrides):
    session = overrides.pop("session", None) or (
        overrides["parent"].session if "parent" in overrides else make_session()
    )
    values = {
        "session": session,
        "kind": Issue.Kind.MAIN_ISSUE,
        "text": f"Issue {_next()}",
        "position": _next_position(session.issues),
    }
    if overrides.get("parent") is not None:
        values["kind"] = Issue.Kind.POINT
    values.update(overrides)
    return Issue.objects.create(**values)


def make_theme(**overrides):
    n = _next()
    values = {"name": f"Theme {n}", "slug": f"theme-{n}"}
    values.update(overrides)
    return Theme.objects.create(**values)


def make_organisation(**overrides):
    n = _next()
    values = {"name": f"Organisation {n}", "slug": f"organisation-{n}"}
    values.update(overrides)
    return Organisation.objects.create(**values)


def make_person(**overrides):
    n = _next()
    values = {"name": f"Person {n}", "slug": f"person-{n}"}
    values.update(overrides)
    return Person.objects.create(**values)


def make_participation(**overrides):
    values = {"role": Participation.Role.SPEAKER}
    values.update(overrides)
    if values.get("session") is None:
        values["session"] = make_session()
    values.setdefault("position", _next_position(values["session"].participations))
    if values.get("person") is None:
        values["person"] = make_person()
    return Participation.objects.create(**values)


def make_document(
    *, session=None, roundtable=None, sessions=(), roundtables=(), files=None, language="en", **overrides
):
    """A document of ``forum`` (by default the forum of its first session or roundtable, else a new one),
    attached to ``session``/``sessions`` and ``roundtable``/``roundtables``, with ``files``: {language:
    (file name, content)}; by default one PDF in ``language`` (``filename`` and ``content`` to change it)."""
    from django.core.files.base import ContentFile

    content = overrides.pop("content", b"%PDF-1.4\n% a small test document\n")
    name = overrides.pop("filename", "paper.pdf")
    sessions = [*([session] if session else []), *sessions]
    roundtables = [*([roundtable] if roundtable else []), *roundtables]
    values = {"title": f"Document {_next()}", "kind": Document.Kind.BACKGROUND_PAPER}
    values.update(overrides)
    if not values.get("forum"):
        if sessions:
            values["forum"] = sessions[0].roundtable.forum
        elif roundtables:
            values["forum"] = roundtables[0].forum
        else:
            values["forum"] = make_forum()
    document = Document.objects.create(**values)
    document.sessions.set(sessions)
    document.roundtables.set(roundtables)
    for file_language, (file_name, file_content) in (files or {language: (name, content)}).items():
        document_file = DocumentFile(document=document, language=file_language)
        document_file.file.save(file_name, ContentFile(file_content), save=False)
        document_file.save()
    return document


def make_programme(*, roundtables=3, sessions_per_roundtable=2, **forum_overrides):
    """A forum with everything its pages show: rooms, two themes and ``roundtables`` roundtables whose
    sessions each have a chair (the same person throughout) and a speaker with organisations, both
    themes, a main issue with a sub-point and a document; the forum and each roundtable have a document too."""
    forum = make_forum(**forum_overrides)
    rooms = [make_room(forum=forum, position=1), make_room(forum=forum, position=2)]
    themes = [make_theme(), make_theme()]
    chair = make_person(organisation=make_organisation())
    make_document(forum=forum, kind=Document.Kind.CONCEPT_NOTE)
    for _ in range(roundtables):
        roundtable = make_roundtable(forum=forum)
        make_document(roundtable=roundtable)
        for number in range(1, sessions_per_roundtable + 1):
            session = make_session(roundtable=roundtable, number=number, room=rooms[number % 2], themes=themes)
            make_participation(session=session, person=chair, role=Participation.Role.CHAIR)
            make_participation(session=session, person=make_person(organisation=make_organisation()))
            make_issue(parent=make_issue(session=session))
            make_document(session=session)
    return forum
