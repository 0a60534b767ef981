"""Search results: matched words as highlighted HTML, hits, the results of each kind and pages of them.

Highlighting is XSS-safe by construction: the database marks the matches with two private-use
characters (``START``, ``STOP``) in the stored plain text, everything is then escaped, and only then do
those characters become ``<mark>`` tags.

``results_page`` pages over any ordered, countable result lists of several kinds (``KindResults`` for the
search's own), kind after kind.
"""

import re
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString

from core.text import markdown_plain

from .search_engines import START, STOP

RESULTS_PER_PAGE = 20
SNIPPET_CHARS = 220

_MARKERS = re.compile(f"([{START}{STOP}])")


def plain_text(text, *, is_markdown=False):
    """``text`` as one line of plain text: Markdown rendered, then every tag dropped (scripts with their content)."""
    if is_markdown:
        return markdown_plain(text)
    return " ".join(text.split())


def escaped(value):
    """What ``conditional_escape(value)`` gives, as a plain string: a value marked safe as its own HTML, any other
    as its text through ``html.escape`` (quotes included), as Django's ``escape`` does. Without the check Django
    wraps ``escape`` and ``mark_safe`` in (is any argument a lazy string?), which took about a third of the time
    making a page of results, for some 250 values. (What is written here is marked safe as ``SafeString``, for the
    same reason.)"""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def formatted(template, *values):
    """``format_html(template, *values)``: ``template`` with each of ``values`` ``escaped``, marked safe."""
    return SafeString(template.format(*map(escaped, values)))  # every value escaped


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
    return SafeString("".join(parts))  # everything but our own <mark> tags went through html.escape()


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


@dataclass(frozen=True)
class Hit:
    object: object
    heading: str  # highlighted HTML
    snippet: str  # highlighted HTML
    is_draft: bool
    heading_language: str = ""  # the language of a heading or snippet not in the page's language, else ""
    snippet_language: str = ""
    url: str = ""  # where the result leads (a room, with no page of its own: its forum's programme in that room)
    link: str = ""  # HTML: what the link shows (the heading, with a session's code, a roundtable's label…)
    link_lang: str = ""  # ' lang="en"' for a link (or snippet) whose text falls back to English, else ""
    meta: str = ""  # HTML: the line under the link (forum, roundtable, kind, draft badge…)
    snippet_lang: str = ""


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
    html: str = ""  # the hits as the page lists them (``programme.search_hits.html``)

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


# Paging over results of several kinds.


class KindResults:
    """The results of one kind, for ``results_page``: ``count()`` them, or take a ``window(start, stop)`` of
    their records (0-based, stop excluded) with their total. ``ids`` are already in order, so counting costs
    nothing and a window one query; ``read(ids)`` gives the records with those ids, in any order."""

    def __init__(self, *, kind, label, ids, read, to_hit=lambda obj: obj):
        self.kind = kind
        self.label = label
        self.ids = ids
        self.read = read
        self.to_hit = to_hit

    def count(self):
        return len(self.ids)

    def window(self, start, stop):
        """(records, total); the total is None when the window is empty (past the last result)."""
        ids = self.ids[start:stop]
        if not ids:
            return [], None
        records = {record.pk: record for record in self.read(ids)}
        return [records[pk] for pk in ids if pk in records], len(self.ids)


def results_page(kinds, *, number, per_page=RESULTS_PER_PAGE):
    """Page ``number`` of the results of ``kinds`` (each with ``kind``, ``label``, ``count()``, ``window()`` and
    ``to_hit()``, as ``KindResults``), kind after kind.

    A kind whose results begin on this page is read from its first result (its total comes with the rows); a
    kind before or after the page is only counted; the one straddling the start is counted, then read from
    there. A page past the last shows the last one.
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
