"""The programme as a spreadsheet to download: one row of plain values per session.

The public export (from the forum page) holds the published sessions of a published forum; the
committee's (from the admin) holds the drafts too. Neither holds private contact data: people appear
by name only. Days and times are those of the forum's time zone, named in the zone column.
"""

from django.conf import settings
from django.db.models import BooleanField, Count, ExpressionWrapper, Q, Value
from django.http import HttpResponse
from django.utils import translation
from django.utils.http import content_disposition_header

from core.forum_time import forum_local, forum_zone

from ..models import Document, DocumentFile, Participation, Session
from .columns import CONTENT_TYPES, PEOPLE_COLUMNS, XLSX, names_cell
from .files import spreadsheet_csv, spreadsheet_xlsx


def translated_share(*, text_count, document_languages, language):
    """The share (0–100) of a session's content that a reader of ``language`` finds in that language.

    Its content is ``text_count`` texts (title, background, issues and sub-points) and one document per item
    of ``document_languages``, each item the set of languages the document has a file in. The portal keeps
    each text once, in the programme's language (``settings.LANGUAGE_CODE``): content is not translated yet,
    so every text counts in that language only, and a document in the languages of its files. A
    content-translation feature extends this by counting each text in every
    language it has been translated into. Rounded down, so that 100 means everything.
    """
    language = (language or settings.LANGUAGE_CODE).split("-")[0].lower()
    source = settings.LANGUAGE_CODE.split("-")[0].lower()
    total = text_count + len(document_languages)
    if total == 0:
        return 100
    available = (text_count if language == source else 0) + sum(1 for item in document_languages if language in item)
    return available * 100 // total


def sessions_for_spreadsheet(*, forum, user=None):
    """The forum's sessions the ``user`` may see (None: the public)."""
    return Session.objects.visible_to(user).in_forum(forum)


def _grouped(rows):
    """{session id: [the rest of each row]} from (session id, ...) rows, in their order."""
    grouped = {}
    for session_id, *rest in rows:
        grouped.setdefault(session_id, []).append(rest)
    return grouped


def _session_documents(chosen, user):
    """{session id: [(title, {languages of its files})]}: the documents of each session, then those of its
    roundtable it does not have itself, as its page lists them. Two queries, of plain values."""
    visible = Document.objects.visible_to(user).select_related("forum").values("pk")
    own = (
        Document.sessions.through.objects.filter(session__in=chosen, document__in=visible)
        .order_by()
        .values_list("session_id", "document_id", "document__title", "document__position", Value(0))
    )
    # Both sides read through the link tables, whose rows have no translated columns, so the union's
    # columns come in the order written here (a translated model's values_list orders them its own way).
    shared = (
        Document.roundtables.through.objects.filter(roundtable__sessions__in=chosen, document__in=visible)
        .order_by()
        .values_list("roundtable__sessions__id", "document_id", "document__title", "document__position", Value(1))
    )
    rows = sorted(own.union(shared, all=True), key=lambda row: (row[0], row[4], row[3], row[2], row[1]))
    languages = {}
    files = DocumentFile.objects.filter(document__in={row[1] for row in rows}).values_list("document_id", "language")
    for document_id, language in files:
        languages.setdefault(document_id, set()).add(language)
    grouped = {}
    for session_id, document_id, title, _position, _shared in rows:
        listed = grouped.setdefault(session_id, {})
        listed.setdefault(document_id, title)
    return {
        session_id: [(title, languages.get(document_id, set())) for document_id, title in listed.items()]
        for session_id, listed in grouped.items()
    }


def spreadsheet_rows(*, forum, user=None, language=None):
    """One dict per session, keyed by ``COLUMNS``: dates, times and numbers as Python values, the rest text.

    Six queries whatever the size of the forum, each reading plain values (no long texts, no model
    objects): the sessions, then the people in the chair and rapporteur roles, the themes, the documents
    of those sessions and of their roundtables, and the languages of those documents' files, matched by
    subqueries.
    """
    zone = forum_zone(forum)
    language = language or translation.get_language()
    visible = sessions_for_spreadsheet(forum=forum, user=user)
    chosen = visible.values("pk")
    people = _grouped(
        Participation.objects.filter(session__in=chosen, role__in=PEOPLE_COLUMNS.values())
        .order_by("session_id", "position", "id")
        .values_list("session_id", "role", "person__name")
    )
    themes = _grouped(
        Session.themes.through.objects.filter(session__in=chosen)
        .order_by("session_id", "theme__name")
        .values_list("session_id", "theme__name")
    )
    documents = _session_documents(chosen, user)
    sessions = (
        visible.annotate(
            issue_total=Count("issues"),
            has_background=ExpressionWrapper(~Q(background=""), output_field=BooleanField()),
        )
        .order_by("roundtable__number", "number")
        .values_list(
            "pk",
            "roundtable__number",
            "number",
            "roundtable__title",
            "title",
            "starts_at",
            "ends_at",
            "room__name",
            "status",
            "issue_total",
            "has_background",
        )
    )
    rows = []
    for pk, rt_number, number, rt_title, title, starts_at, ends_at, room, status, issues, background in sessions:
        start, end = forum_local(starts_at, zone), forum_local(ends_at, zone)
        roles = people.get(pk, [])
        session_documents = documents.get(pk, [])
        rows.append(
            {
                "code": f"{rt_number}.{number}",
                "roundtable": rt_title,
                "title": title,
                "day": start.date() if start else None,
                "start": start.time().replace(tzinfo=None) if start else None,
                "end": end.time().replace(tzinfo=None) if end else None,
                "zone": forum.time_zone,
                "room": room or "",
                "chair": names_cell(name for role, name in roles if role == Participation.Role.CHAIR),
                "rapporteur": names_cell(name for role, name in roles if role == Participation.Role.RAPPORTEUR),
                "themes": names_cell(name for (name,) in themes.get(pk, [])),
                "documents": names_cell(document_title for document_title, _languages in session_documents),
                "status": status,
                "% translated": translated_share(
                    text_count=1 + bool(background) + issues,
                    document_languages=[languages for _title, languages in session_documents],
                    language=language,
                ),
            }
        )
    return rows


def spreadsheet_response(*, forum, fmt, user=None, filename_suffix=""):
    """The forum's programme as a downloadable spreadsheet (``fmt``: "xlsx" or "csv")."""
    rows = spreadsheet_rows(forum=forum, user=user)
    body = spreadsheet_xlsx(rows, title=forum.slug) if fmt == XLSX else spreadsheet_csv(rows)
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    filename = f"{forum.slug}-programme{filename_suffix}.{fmt}"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
