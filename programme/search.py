"""Search over what the visitor may see: sessions, issues and sub-points, roundtables, themes, people,
documents, good practices and rooms, in the page's language.

Words are looked up in the search index (``programme.search_index`` writes it, ``programme.search_engines``
matches and marks): on ``/fr/`` and ``/es/`` in the entries of that language and in the English ones, so
a record not translated yet is found too; a record found in both shows its entry in the page's language.
A session code such as ``1.2`` finds that session (in every forum) and comes first.

Who sees what: each kind's results are filtered through the kind's public queryset (``visible_to(user)``,
as on the pages), so staff find drafts, marked as such, and the public never does.

Order, within each kind: the records whose title holds one of the words, then the others, each in the
programme's order (newest forum first, then by roundtable and session); the same on both databases.

Results come as pages of ``RESULTS_PER_PAGE``, kind after kind, with highlighted titles and excerpts
(``programme.search_results``). Queries, however many records match: one to match the words, one
for the visible records in order (all kinds at once), one per kind shown on the page for its records,
one for the marked texts of the page (and one for the rooms' filter links when rooms are shown).
"""

import dataclasses
import functools
import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, Value, When, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils.http import urlencode

from contributions.selectors import contributions_for_search
from core.translated import SOURCE_LANGUAGE, content_language, translated_fields
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Document, Issue, Person, Room, Session

from . import search_engines
from .models import SearchEntry
from .programme_filters import room_keys
from .search_engines import START, STOP, parse_query
from .search_results import (
    RESULTS_PER_PAGE,
    Hit,
    KindResults,
    excerpt,
    mark_terms,
    marked_html,
    plain_text,
    results_page,
)

# What the tests and other modules read from here, defined in the modules search is made of.
__all__ = [
    "MAX_QUERY_LENGTH",
    "RESULTS_PER_PAGE",
    "START",
    "STOP",
    "KindResults",
    "excerpt",
    "mark_terms",
    "marked_html",
    "parse_query",
    "plain_text",
    "programme_search",
    "query_clean",
    "results_page",
]

MAX_QUERY_LENGTH = 100


def query_clean(raw):
    """The query as searched and the flag "it was cut": printable characters, single spaces, limited length."""
    text = "".join(character for character in raw if character.isprintable() or character.isspace())
    query = " ".join(text.split())
    if len(query) <= MAX_QUERY_LENGTH:
        return query, False
    cut = query[: MAX_QUERY_LENGTH + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
    return cut[:MAX_QUERY_LENGTH].strip(), True


def page_number(raw):
    """The page asked for in ``?page=``: a whole number from 1, else 1."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


# What is searched.


@dataclass(frozen=True)
class _Kind:
    kind: str
    order: tuple  # the programme's order, after "the title holds a word"
    is_draft: object  # callable(obj) -> bool
    has_snippet: bool = True

    @property
    def label(self):
        return SearchEntry.Kind(self.kind).label


def _session_is_draft(session):
    return not (session.is_published and session.roundtable.forum.is_published)


Kind = SearchEntry.Kind
KINDS = (
    _Kind(Kind.SESSIONS, ("-roundtable__forum__starts_on", "roundtable__number", "number"), _session_is_draft),
    _Kind(
        Kind.ISSUES,
        ("-session__roundtable__forum__starts_on", "session__roundtable__number", "session__number", "position", "pk"),
        lambda issue: _session_is_draft(issue.session),
    ),
    _Kind(Kind.ROUNDTABLES, ("-forum__starts_on", "number"), lambda roundtable: not roundtable.forum.is_published),
    _Kind(Kind.THEMES, ("name", "pk"), lambda theme: False),
    _Kind(Kind.PEOPLE, ("name", "pk"), lambda person: False),
    # ``is_public`` is annotated by Document.objects.visible_to
    _Kind(Kind.DOCUMENTS, ("-circulated_on", "title", "pk"), lambda document: not document.is_public),
    _Kind(Kind.CONTRIBUTIONS, ("-submitted_at", "-pk"), lambda contribution: False),  # only published ones
    _Kind(
        Kind.ROOMS,
        ("-forum__starts_on", "forum", "position", "name", "pk"),
        lambda room: not room.forum.is_published,
        has_snippet=False,
    ),
)


class _Querysets:
    """What each kind's results are taken from, what the pages show ``user``: ``querysets[kind]``, each
    made when first asked for (a search finding only sessions makes only theirs)."""

    def __init__(self, user):
        self.user = user
        self.made = {}

    def __getitem__(self, kind):
        if kind not in self.made:
            self.made[kind] = getattr(self, f"_{kind}")()
        return self.made[kind]

    def _sessions(self):
        return Session.objects.visible_to(self.user).select_related("roundtable__forum")

    def _issues(self):
        sessions = Session.objects.visible_to(self.user)
        return Issue.objects.filter(session__in=sessions.values("pk")).select_related("session__roundtable__forum")

    def _roundtables(self):
        forums = Forum.objects.visible_to(self.user)
        return Roundtable.objects.filter(forum__in=forums.values("pk")).select_related("forum")

    def _themes(self):
        return Theme.objects.all()  # every theme has its public page

    def _people(self):
        return Person.objects.visible_to(self.user).select_related("organisation")

    def _documents(self):
        return Document.objects.visible_to(self.user).select_related("forum")

    def _contributions(self):
        return contributions_for_search()

    def _rooms(self):
        """A room is offered by its forum's programme filter while a session the visitor sees is in it."""
        sessions = Session.objects.visible_to(self.user)
        return Room.objects.filter(Exists(sessions.filter(room=OuterRef("pk")))).select_related("forum")


# Searching.


def _id_set(ids):
    """``ids`` for ``pk__in``. SQLite limits a statement's parameters, so there they are one parameter, a JSON
    list; PostgreSQL plans a plain list best (a subquery of the array made it compare every pair)."""
    ids = [int(pk) for pk in ids]
    if connection.vendor == "postgresql":
        return ids
    return RawSQL("SELECT value FROM json_each(%s)", (json.dumps(ids),))


def _best_matches(matches, language):
    """{kind: {record id: Match}}: one entry per record, the one in the page's ``language`` when it matched."""
    found = {}
    for match in matches:
        of_kind = found.setdefault(match.kind, {})
        current = of_kind.get(match.object_id)
        if current is None or (match.language == language and current.language != language):
            of_kind[match.object_id] = match
    return found


def _in_english(model, order):
    """``order`` with each translated field of ``model`` read in English, the source language (its original
    column is not kept up to date once translated): "title" is "title_en", "-name" "-name_en"."""
    translated = translated_fields(model)
    return [f"{term}_{SOURCE_LANGUAGE}" if term.lstrip("-") in translated else term for term in order]


ORDERED_COLUMNS = ("search_kind", "pk", "search_position", "search_code")


def ordered_parts(found, codes, querysets):
    """One queryset per kind with records ``found`` (or sessions with one of the ``codes``): its visible
    records among them as rows of ``ORDERED_COLUMNS`` (the kind, the id, the place in the programme's order,
    1 for a session with one of the codes), in that order of columns, as a union needs."""
    parts = []
    for spec in KINDS:
        ids = found.get(spec.kind, {})
        condition = Q(pk__in=_id_set(ids)) if ids else Q(pk__in=[])
        code = Value(0)
        if spec.kind == Kind.SESSIONS and codes:
            code_match = Q()
            for roundtable, number in codes:
                code_match |= Q(roundtable__number=roundtable, number=number)
            condition |= code_match
            code = Case(When(code_match, then=Value(1)), default=Value(0), output_field=IntegerField())
        elif not ids:
            continue
        queryset = querysets[spec.kind]
        # A model with translated fields has a queryset that would select the columns in an order of its own
        # (and rewrite every lookup, none of which here is of a translated field).
        if hasattr(queryset, "rewrite"):
            queryset = queryset.rewrite(False)
        queryset = (
            queryset.filter(condition)
            .order_by()
            .annotate(
                search_kind=Value(spec.kind),
                search_position=Window(RowNumber(), order_by=_in_english(queryset.model, spec.order)),
                search_code=code,
            )
        )
        parts.append(queryset.values_list(*ORDERED_COLUMNS))
    return parts


def _ordered_ids(found, codes, querysets):
    """{kind: [record id, ...]}: the visible records of each kind among those ``found`` (and the sessions
    with one of the ``codes``), in order; one query for all kinds."""
    parts = ordered_parts(found, codes, querysets)
    if not parts:
        return {}, set()
    rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    ranked = {}
    code_matches = set()
    for kind, pk, position, code in rows:
        match = found.get(kind, {}).get(pk)
        ranked.setdefault(kind, []).append((-code, -(match is not None and match.in_title), position, pk))
        if code:
            code_matches.add(pk)
    return {kind: [key[-1] for key in sorted(keys)] for kind, keys in ranked.items()}, code_matches


def _entry_texts(parsed, found, groups, language):
    """{(kind, record id): (title, text, title language, text language)} for the records shown, as their pages
    in ``language`` show them: the record's entry in that language when it has one, else its English one,
    with the matched words marked. (A record found through its English words alone, or a session through its
    code, shows its entry unmarked.) One query."""
    matched, plain = [], []
    for group in groups:
        for obj in group.hits:
            match = found.get(group.kind, {}).get(obj.pk)
            if match is not None:
                matched.append(match)
            if match is None or match.language != language:
                plain.append((group.kind, obj.pk))
    rows = search_engines.marked(parsed, matched=matched, plain=plain, languages=_languages(language))
    best = {}
    for kind, pk, entry_language, title_language, text_language, title, text, is_marked in rows:
        preference = (entry_language == language, is_marked)
        if (kind, pk) not in best or preference > best[(kind, pk)][0]:
            best[(kind, pk)] = (preference, (title, text, title_language, text_language))
    return {key: texts for key, (_preference, texts) in best.items()}


def _languages(language):
    return [language] if language == SOURCE_LANGUAGE else [language, SOURCE_LANGUAGE]


def _room_links(groups):
    """{room id: its forum's programme in that room}, for the rooms shown (one query for their forums' rooms)."""
    rooms = next((group.hits for group in groups if group.kind == Kind.ROOMS), [])
    if not rooms:
        return {}
    forums = {room.forum_id: room.forum for room in rooms}
    keys = {}
    by_forum = {}
    for room in Room.objects.filter(forum__in=forums):
        by_forum.setdefault(room.forum_id, []).append(room)
    for forum_rooms in by_forum.values():
        keys.update(room_keys(forum_rooms))
    return {
        room.pk: reverse("roundtables:programme", kwargs={"forum": room.forum.slug})
        + "?"
        + urlencode({"room": keys[room.pk]})
        for room in rooms
    }


def _with_hits(page, parsed, found, code_matches, language):
    texts = _entry_texts(parsed, found, page.groups, language)
    links = _room_links(page.groups)
    specs = {spec.kind: spec for spec in KINDS}
    groups = []
    for group in page.groups:
        spec = specs[group.kind]
        hits = []
        for obj in group.hits:
            title, text, title_language, text_language = texts.get((group.kind, obj.pk), ("", "", "", ""))
            if group.kind == Kind.SESSIONS:
                obj.code_match = obj.pk in code_matches
            hits.append(
                Hit(
                    object=obj,
                    heading=marked_html(title),
                    snippet=marked_html(excerpt(text)) if spec.has_snippet else "",
                    is_draft=spec.is_draft(obj),
                    heading_language=title_language if title_language not in {"", language} else "",
                    snippet_language=text_language if text_language not in {"", language} else "",
                    url=links.get(obj.pk, "") if group.kind == Kind.ROOMS else "",
                )
            )
        groups.append(dataclasses.replace(group, hits=hits))
    return dataclasses.replace(page, groups=groups)


def programme_search(*, query, user=None, page=1):
    """Page ``page`` of the results for ``query`` (already cleaned) in the active language, as a ``ResultsPage``,
    in a number of queries that does not grow with the results (see the module docstring)."""
    parsed = parse_query(query)
    language = content_language()
    matches = search_engines.engine().matches(parsed, _languages(language)) if parsed.has_words else []
    found = _best_matches(matches, language)
    querysets = _Querysets(user)
    ordered, code_matches = _ordered_ids(found, parsed.codes, querysets)
    kinds = [
        KindResults(
            kind=spec.kind.value,
            label=spec.label,
            ids=ordered.get(spec.kind, []),
            queryset=functools.partial(querysets.__getitem__, spec.kind),
        )
        for spec in KINDS
    ]
    return _with_hits(results_page(kinds, number=page), parsed, found, code_matches, language)
