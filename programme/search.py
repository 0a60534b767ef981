"""Search over what the visitor may see: sessions, issues and sub-points, roundtables, themes, people,
documents, good practices and rooms, in the page's language.

Words are looked up in the search index (``programme.search_index`` writes it, ``programme.search_engines``
matches and marks): on ``/fr/`` and ``/es/`` in the entries of that language and in the English ones, so
a record not translated yet is found too; a record found in both shows its entry in the page's language.
A session code such as ``1.2`` finds that session (in every forum) and comes first.

Who sees what: each kind's results are filtered through the kind's public queryset (``visible_to(user)``,
as on the pages), so staff find drafts, marked as such, and the public never does
(``programme.search_visible``, which compiles them once per kind of visitor).

Order, within each kind: the records whose title holds one of the words, then the others, each in the
programme's order (newest forum first, then by roundtable and session); the same on both databases.

Results come as pages of ``RESULTS_PER_PAGE``, kind after kind, with highlighted titles and excerpts
(``programme.search_results``). Queries, however many records match: one to match the words, one per kind
shown on the page for its records, one for the marked texts of the page (and one for the rooms' filter links
when rooms are shown); and, the first time after a change to the programme, one for the records each kind of
visitor may find, in order (all kinds at once), with the programme's version (``search_visible.visible``).
"""

import dataclasses
import functools

from django.urls import reverse
from django.utils.http import urlencode

from core.translated import SOURCE_LANGUAGE, content_language
from sessions.models import Room

from . import search_engines, search_hits
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
from .search_visible import KINDS, Kind, ordered_ids, read_records

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


# Searching.


def _best_matches(matches, language):
    """{kind: {record id: Match}}: one entry per record, the one in the page's ``language`` when it matched."""
    found = {}
    for match in matches:
        of_kind = found.setdefault(match.kind, {})
        current = of_kind.get(match.object_id)
        if current is None or (match.language == language and current.language != language):
            of_kind[match.object_id] = match
    return found


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
    room_links = _room_links(page.groups)
    links = search_hits.Links()
    specs = {spec.kind: spec for spec in KINDS}
    groups = []
    for group in page.groups:
        spec = specs[group.kind]
        hits = []
        for obj in group.hits:
            title, text, title_language, text_language = texts.get((group.kind, obj.pk), ("", "", "", ""))
            heading = marked_html(title)
            snippet = marked_html(excerpt(text)) if spec.has_snippet else ""
            is_draft = spec.is_draft(obj)
            shown = search_hits.shown(
                group.kind,
                links,
                obj,
                heading=heading,
                snippet=snippet,
                is_draft=is_draft,
                code_match=obj.pk in code_matches,
            )
            hits.append(
                Hit(
                    object=obj,
                    heading=heading,
                    snippet=snippet,
                    is_draft=is_draft,
                    heading_language=title_language if title_language not in {"", language} else "",
                    snippet_language=text_language if text_language not in {"", language} else "",
                    **{"url": room_links.get(obj.pk, ""), **shown},  # a room's link: its forum's programme
                )
            )
        groups.append(dataclasses.replace(group, hits=hits, html=search_hits.html(group.kind, hits)))
    return dataclasses.replace(page, groups=groups)


def programme_search(*, query, user=None, page=1):
    """Page ``page`` of the results for ``query`` (already cleaned) in the active language, as a ``ResultsPage``,
    in a number of queries that does not grow with the results (see the module docstring)."""
    parsed = parse_query(query)
    language = content_language()
    matches = search_engines.engine().matches(parsed, _languages(language)) if parsed.has_words else []
    found = _best_matches(matches, language)
    ordered, code_matches = ordered_ids(found, parsed.codes, user)
    kinds = [
        KindResults(
            kind=spec.kind.value,
            label=spec.label,
            ids=ordered.get(spec.kind, []),
            read=functools.partial(read_records, spec.kind),
        )
        for spec in KINDS
    ]
    return _with_hits(results_page(kinds, number=page), parsed, found, code_matches, language)
