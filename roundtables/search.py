"""Search over what the public may see: sessions, issues and sub-points, roundtables, people and documents.

On PostgreSQL the words are matched and ranked with full-text search (``websearch_to_tsquery``, so
quotes and ``-word`` work) and highlighted with ``ts_headline``. On SQLite every word must appear
somewhere (``icontains``) and a word in the title counts more than one in the text.

Highlighting is XSS-safe by construction: matches are first marked with two private-use
characters, everything is then escaped, and only then do those characters become ``<mark>`` tags.
Markdown and any HTML stored in the database are reduced to plain text before that.
"""

import functools
import operator
import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, Count, IntegerField, Q, Value, When, Window
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from contributions.selectors import contributions_for_search
from gfmd_portal.text import markdown_plain
from sessions.models import Issue

from . import selectors
from .models import Roundtable

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
RESULTS_PER_KIND = 20
SNIPPET_CHARS = 220
SEARCH_CONFIG = "english"  # the programme's texts are written in English

START, STOP = "\ue000", "\ue001"  # private-use characters: what matched, until it becomes <mark>
_MARKERS = re.compile(f"([{START}{STOP}])")
_TERM_PUNCTUATION = "\"'“”‘’«»()[]{}<>.,;:!?*+-~|&^=/\\"
_SESSION_CODE = re.compile(r"^(\d{1,3})\.(\d{1,3})$")
_WEIGHTS = {"A": 4, "B": 1}


def query_clean(raw):
    """The query as searched and the flag "it was cut": printable characters, single spaces, limited length."""
    text = "".join(character for character in raw if character.isprintable() or character.isspace())
    query = " ".join(text.split())
    if len(query) <= MAX_QUERY_LENGTH:
        return query, False
    cut = query[: MAX_QUERY_LENGTH + 1]
    cut = cut.rsplit(" ", 1)[0] if " " in cut else cut[:MAX_QUERY_LENGTH]
    return cut[:MAX_QUERY_LENGTH].strip(), True


def query_terms(query):
    """The words of the query, without surrounding punctuation or repeats, at most MAX_TERMS."""
    terms = []
    seen = set()
    for word in query.split():
        term = word.strip(_TERM_PUNCTUATION)
        if not term or term.casefold() in seen or term.casefold() == "or":
            continue
        seen.add(term.casefold())
        terms.append(term)
    return terms[:MAX_TERMS]


def session_codes(terms):
    """The (roundtable number, session number) pairs of words like ``1.2``."""
    codes = []
    for term in terms:
        match = _SESSION_CODE.match(term)
        if match:
            codes.append((int(match[1]), int(match[2])))
    return codes


# Turning text into highlighted HTML.


def plain_text(text, *, is_markdown=False):
    """``text`` as one line of plain text: Markdown rendered, then every tag dropped (scripts with their content)."""
    if is_markdown:
        return markdown_plain(text)
    return " ".join(text.split())


def marked_html(marked):
    """Escape ``marked`` and turn its START/STOP characters into balanced <mark> tags."""
    parts = []
    is_open = False
    for piece in _MARKERS.split(marked):
        if piece == START:
            if not is_open:
                parts.append("<mark>")
                is_open = True
        elif piece == STOP:
            if is_open:
                parts.append("</mark>")
                is_open = False
        elif piece:
            parts.append(escape(piece))
    if is_open:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # everything but our own <mark> tags went through escape()


def mark_terms(text, terms):
    """Put START/STOP around each occurrence of one of ``terms`` (case-insensitive) in plain ``text``."""
    text = text.replace(START, "").replace(STOP, "")
    if not terms:
        return text
    alternatives = sorted((re.escape(term) for term in terms), key=len, reverse=True)
    pattern = re.compile("|".join(alternatives), re.IGNORECASE)
    return pattern.sub(lambda match: f"{START}{match[0]}{STOP}", text)


def excerpt(marked, *, length=SNIPPET_CHARS):
    """About ``length`` characters of ``marked`` text, from a little before its first match, cut between words."""
    if len(marked) <= length:
        return marked
    first = marked.find(START)
    start = max(0, first - length // 3) if first > 0 else 0
    start = min(start, len(marked) - length)
    if start > 0:
        space = marked.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else start
    end = start + length
    if end < len(marked):
        space = marked.rfind(" ", start, end + 1)
        end = space if space > start else end
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(marked) else ""
    return f"{prefix}{marked[start:end].strip()}{suffix}"


# The two ways of matching, ranking and marking.


class _WordMatcher:
    """SQLite: every word somewhere in the searched fields; words in the title (weight A) rank higher."""

    def __init__(self, query):
        self.terms = [term for term in query_terms(query) if not _SESSION_CODE.match(term)]

    def apply(self, queryset, fields, *, shown):
        if not self.terms:
            return queryset.annotate(rank=Value(0, output_field=IntegerField())), Q(pk__in=[])
        matches = [
            functools.reduce(operator.or_, (Q(**{f"{name}__icontains": term}) for name, _ in fields))
            for term in self.terms
        ]
        scores = [
            Case(When(Q(**{f"{name}__icontains": term}), then=Value(_WEIGHTS[weight])), default=Value(0))
            for term in self.terms
            for name, weight in fields
        ]
        rank = functools.reduce(operator.add, scores)
        return queryset.annotate(rank=rank), functools.reduce(operator.and_, matches)

    def marked(self, obj, field, *, is_markdown):
        return mark_terms(plain_text(_value(obj, field), is_markdown=is_markdown), self.terms)


class _FullTextMatcher:
    """PostgreSQL: full-text search with weights A (titles, names) and B (texts); ts_headline marks the words
    that matched, stemmed as they were searched."""

    def __init__(self, query):
        from django.contrib.postgres.search import SearchQuery

        self.search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)

    def apply(self, queryset, fields, *, shown):
        from django.contrib.postgres.search import SearchHeadline, SearchRank, SearchVector

        vector = functools.reduce(
            operator.add, (SearchVector(name, weight=weight, config=SEARCH_CONFIG) for name, weight in fields)
        )
        annotations = {"search_document": vector, "rank": SearchRank(vector, self.search_query)}
        for field in shown:
            # The whole text, marked: Markdown stays whole, and the excerpt is cut as on SQLite.
            annotations[_marked_name(field)] = SearchHeadline(
                field, self.search_query, config=SEARCH_CONFIG, start_sel=START, stop_sel=STOP, highlight_all=True
            )
        return queryset.annotate(**annotations), Q(search_document=self.search_query)

    def marked(self, obj, field, *, is_markdown):
        return plain_text(getattr(obj, _marked_name(field)) or "", is_markdown=is_markdown)


def _marked_name(field):
    return f"search_marked_{field}"


def _value(obj, path):
    for name in path.split("__"):
        obj = getattr(obj, name, None)
        if obj is None:
            return ""
    return str(obj)


# What is searched.


@dataclass(frozen=True)
class Hit:
    object: object
    heading: str  # highlighted HTML
    snippet: str  # highlighted HTML
    is_draft: bool


@dataclass(frozen=True)
class Group:
    kind: str
    label: str
    total: int
    hits: list

    @property
    def is_cut(self):
        return self.total > len(self.hits)


@dataclass(frozen=True)
class _Kind:
    kind: str
    label: str
    fields: tuple  # (field, weight) pairs
    heading: str | None  # field shown, highlighted, as the result's title
    snippet: str | None  # field shown, highlighted, as an excerpt
    is_markdown: bool
    order: tuple
    is_draft: object  # callable(obj) -> bool


def _session_is_draft(session):
    return not (session.is_published and session.roundtable.forum.is_published)


def _document_is_draft(document):
    return not document.is_public  # annotated by selectors.documents_for_public_pages


KINDS = (
    _Kind(
        kind="sessions",
        label=_("Sessions"),
        fields=(("title", "A"), ("background", "B")),
        heading="title",
        snippet="background",
        is_markdown=True,
        order=("-roundtable__forum__starts_on", "roundtable__number", "number"),
        is_draft=_session_is_draft,
    ),
    _Kind(
        kind="issues",
        label=_("Issues and questions"),
        fields=(("text", "A"),),
        heading=None,
        snippet="text",
        is_markdown=True,
        order=("-session__roundtable__forum__starts_on", "session__roundtable__number", "session__number", "position"),
        is_draft=lambda issue: _session_is_draft(issue.session),
    ),
    _Kind(
        kind="roundtables",
        label=_("Roundtables"),
        fields=(("title", "A"), ("background", "B")),
        heading="title",
        snippet="background",
        is_markdown=True,
        order=("-forum__starts_on", "number"),
        is_draft=lambda roundtable: not roundtable.forum.is_published,
    ),
    _Kind(
        kind="people",
        label=_("People"),
        fields=(("name", "A"), ("organisation__name", "B")),
        heading="name",
        snippet="organisation__name",
        is_markdown=False,
        order=("name", "pk"),
        is_draft=lambda person: False,
    ),
    _Kind(
        kind="documents",
        label=_("Documents"),
        fields=(("title", "A"), ("description", "B")),
        heading="title",
        snippet="description",
        is_markdown=False,
        order=("-circulated_on", "title", "pk"),
        is_draft=_document_is_draft,
    ),
    _Kind(
        kind="contributions",
        label=_("Good practices"),
        fields=(("title", "A"), ("organisation_name", "A"), ("summary", "B"), ("recommendations", "B")),
        heading="title",
        snippet="summary",
        is_markdown=False,
        order=("-submitted_at", "-pk"),
        is_draft=lambda contribution: False,  # only published contributions are searched
    ),
)


def _querysets(user):
    sessions = selectors.sessions_for_public_pages(user)
    return {
        "sessions": sessions.select_related("roundtable__forum"),
        "issues": Issue.objects.filter(session__in=sessions.values("pk")).select_related("session__roundtable__forum"),
        "roundtables": Roundtable.objects.filter(
            forum__in=selectors.forums_for_public_pages(user).values("pk")
        ).select_related("forum"),
        "people": selectors.people_for_public_pages(user).select_related("organisation"),
        "documents": selectors.documents_for_public_pages(user),
        "contributions": contributions_for_search(),
    }


def programme_search(*, query, user=None):
    """The groups of results for ``query`` (already cleaned), in a fixed number of queries: one per kind."""
    is_postgres = connection.vendor == "postgresql"
    matcher = _FullTextMatcher(query) if is_postgres else _WordMatcher(query)
    codes = session_codes(query_terms(query))
    querysets = _querysets(user)
    groups = []
    for kind in KINDS:
        shown = [field for field in (kind.heading, kind.snippet) if field]
        queryset, match = matcher.apply(querysets[kind.kind], kind.fields, shown=shown)
        order = ["-rank", *kind.order]
        if kind.kind == "sessions" and codes:
            code_match = functools.reduce(operator.or_, (Q(roundtable__number=rt, number=n) for rt, n in codes))
            queryset = queryset.annotate(
                code_match=Case(When(code_match, then=Value(1)), default=Value(0), output_field=IntegerField())
            )
            match |= code_match
            order.insert(0, "-code_match")
        queryset = queryset.filter(match).annotate(search_total=Window(Count("pk"))).order_by(*order)
        found = list(queryset[:RESULTS_PER_KIND])
        hits = [
            Hit(
                object=obj,
                heading=marked_html(matcher.marked(obj, kind.heading, is_markdown=False)) if kind.heading else "",
                snippet=marked_html(excerpt(matcher.marked(obj, kind.snippet, is_markdown=kind.is_markdown)))
                if kind.snippet
                else "",
                is_draft=kind.is_draft(obj),
            )
            for obj in found
        ]
        groups.append(Group(kind=kind.kind, label=kind.label, total=found[0].search_total if found else 0, hits=hits))
    return groups
