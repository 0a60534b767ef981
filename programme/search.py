"""Search over what the public may see: sessions, issues and sub-points, roundtables, people and documents.

On PostgreSQL the words are matched and ranked with full-text search (``websearch_to_tsquery``, so
quotes and ``-word`` work) and highlighted with ``ts_headline``. On SQLite every word must appear
somewhere (``icontains``) and a word in the title counts more than one in the text.

Highlighting is XSS-safe by construction: matches are first marked with two private-use
characters, everything is then escaped, and only then do those characters become ``<mark>`` tags.
Markdown and any HTML stored in the database are reduced to plain text before that.

Results come as pages of ``RESULTS_PER_PAGE``, kind after kind (sessions, then issues, roundtables,
people, documents and good practices), each kind in its order of relevance; ``results_page`` does
the paging over any ordered, countable result lists, whatever found them.
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
from core.text import markdown_plain
from roundtables.models import Forum, Roundtable
from sessions.models import Document, Issue, Person, Session

MAX_QUERY_LENGTH = 100
MAX_TERMS = 8
RESULTS_PER_PAGE = 20
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
    """The results of one kind: ``total`` in all, ``hits`` those on the page shown, the first of them being
    result number ``first`` + 1 of the kind; ``page`` is the page where the kind's results begin."""

    kind: str
    label: str
    total: int
    hits: list
    first: int = 0
    page: int = 1

    @property
    def is_continued(self):
        """Whether the kind's first results are on an earlier page."""
        return self.first > 0

    @property
    def start(self):
        """The number of the first hit shown among the kind's results (from 1)."""
        return self.first + 1

    @property
    def end(self):
        return self.first + len(self.hits)


@dataclass(frozen=True)
class ResultsPage:
    """Page ``number`` of the results: every kind's ``groups`` (with its total, and its hits on this page)."""

    number: int
    per_page: int
    total: int
    groups: list

    @property
    def page_count(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number < self.page_count

    @property
    def previous_number(self):
        return self.number - 1

    @property
    def next_number(self):
        return self.number + 1

    @property
    def start_index(self):
        """The number of the first result on this page (from 1; 0 without results)."""
        return min(self.total, (self.number - 1) * self.per_page + 1)

    @property
    def end_index(self):
        return min(self.total, self.number * self.per_page)


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
    sessions = Session.objects.visible_to(user)
    return {
        "sessions": sessions.select_related("roundtable__forum"),
        "issues": Issue.objects.filter(session__in=sessions.values("pk")).select_related("session__roundtable__forum"),
        "roundtables": Roundtable.objects.filter(forum__in=Forum.objects.visible_to(user).values("pk")).select_related(
            "forum"
        ),
        "people": Person.objects.visible_to(user).select_related("organisation"),
        "documents": Document.objects.visible_to(user).select_related("forum"),
        "contributions": contributions_for_search(),
    }


def page_number(raw):
    """The page asked for in ``?page=``: a whole number from 1, else 1."""
    try:
        number = int(raw)
    except (TypeError, ValueError):
        return 1
    return number if number >= 1 else 1


# Paging over results of several kinds.


class KindResults:
    """The results of one kind, for ``results_page``: ``count()`` them, or take a ``window(start, stop)`` of them
    (0-based, stop excluded) with their total: each row of ``queryset`` carries ``search_total``, a window count
    over the same matches, so a window that holds rows tells the total without another query."""

    def __init__(self, *, kind, label, queryset, counted, to_hit):
        self.kind = kind
        self.label = label
        self.queryset = queryset  # filtered to the matches, ordered, annotated with search_total
        self.counted = counted  # the same matches, without the window count, for count()
        self.to_hit = to_hit  # object -> Hit

    def count(self):
        return self.counted.count()

    def window(self, start, stop):
        """(objects, total); the total is None when the window is empty (past the last result)."""
        rows = list(self.queryset[start:stop])
        return rows, (rows[0].search_total if rows else None)


def results_page(kinds, *, number, per_page=RESULTS_PER_PAGE):
    """Page ``number`` of the results of ``kinds`` (each with ``kind``, ``label``, ``count()``, ``window()`` and
    ``to_hit()``, as ``KindResults``), kind after kind.

    One query per kind, plus one for the kind whose results straddle the start of the page: a kind whose
    results begin on this page is read from its first result (its total comes with the rows); a kind before
    or after the page is only counted; the one straddling the start is counted, then read from there.
    A page past the last shows the last one.
    """
    start, stop = (number - 1) * per_page, number * per_page
    before = 0
    found = []
    for kind in kinds:
        local_start, local_stop = max(0, start - before), max(0, stop - before)
        rows = []
        if local_stop == 0:  # the page is full before this kind
            total = kind.count()
        elif local_start == 0:  # the kind begins on this page
            rows, total = kind.window(0, local_stop)
            total = total or 0
        else:  # the page begins within this kind, or after it
            total = kind.count()
            if local_start < total:
                rows, _total = kind.window(local_start, local_stop)
        found.append((kind, before, total, rows, local_start))
        before += total
    if before and start >= before:  # past the last result
        return results_page(kinds, number=-(-before // per_page), per_page=per_page)
    groups = [
        Group(
            kind=kind.kind,
            label=kind.label,
            total=total,
            hits=[kind.to_hit(obj) for obj in rows],
            first=local_start if rows else 0,
            page=offset // per_page + 1,
        )
        for kind, offset, total, rows, local_start in found
    ]
    return ResultsPage(number=number, per_page=per_page, total=before, groups=groups)


def _hit_maker(kind, matcher):
    def to_hit(obj):
        return Hit(
            object=obj,
            heading=marked_html(matcher.marked(obj, kind.heading, is_markdown=False)) if kind.heading else "",
            snippet=marked_html(excerpt(matcher.marked(obj, kind.snippet, is_markdown=kind.is_markdown)))
            if kind.snippet
            else "",
            is_draft=kind.is_draft(obj),
        )

    return to_hit


def programme_search(*, query, user=None, page=1):
    """Page ``page`` of the results for ``query`` (already cleaned), as a ``ResultsPage``, in a fixed number of
    queries: one per kind, and at most one more (see ``results_page``)."""
    is_postgres = connection.vendor == "postgresql"
    matcher = _FullTextMatcher(query) if is_postgres else _WordMatcher(query)
    codes = session_codes(query_terms(query))
    querysets = _querysets(user)
    kinds = []
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
        matches = queryset.filter(match)
        kinds.append(
            KindResults(
                kind=kind.kind,
                label=kind.label,
                queryset=matches.annotate(search_total=Window(Count("pk"))).order_by(*order),
                counted=matches,
                to_hit=_hit_maker(kind, matcher),
            )
        )
    return results_page(kinds, number=page)
