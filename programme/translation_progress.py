"""How much of a forum's programme reads in French and in Spanish, for the committee's dashboard.

The texts counted are those the committee writes in English and may translate (core.translated): a
forum's own (name, place, description), each roundtable's (title, background), each session's (title,
background) and those of its issues and sub-points. A text counts once it has an English text; it is
translated into a language once that language's column holds a text.

- By field: translated texts / texts with an English text.
- By words: words of the English texts that have a translation / all words of the English texts.

A session's figures cover its own texts and its issues'; a roundtable's, its own and its sessions';
a forum's, its own, its roundtables' and their sessions'. Three queries for any number of forums and
sessions: the text columns are fetched and counted here.
"""

import dataclasses

from django.conf import settings

from core.translated import CONTENT_LANGUAGES, SOURCE_LANGUAGE, translated_fields
from roundtables.models import Forum, Roundtable
from sessions.models import Issue, Session

TARGET_LANGUAGES = tuple(code for code in CONTENT_LANGUAGES if code != SOURCE_LANGUAGE)
LANGUAGE_NAMES = dict(settings.LANGUAGES)


@dataclasses.dataclass(frozen=True)
class Coverage:
    """How much of some English texts one language has."""

    texts: int = 0  # texts with an English text
    translated: int = 0  # of those, texts with a translation
    words: int = 0  # words of the English texts
    translated_words: int = 0  # words of the English texts that have a translation

    def __add__(self, other):
        return Coverage(*(a + b for a, b in zip(dataclasses.astuple(self), dataclasses.astuple(other), strict=True)))

    @property
    def by_field(self):
        """Whole percent of texts translated (rounded down: 100 only when all are); None without texts."""
        return self.translated * 100 // self.texts if self.texts else None

    @property
    def by_words(self):
        """Whole percent of English words whose text is translated (rounded down); None without texts."""
        return self.translated_words * 100 // self.words if self.words else None

    @property
    def is_complete(self):
        return self.translated == self.texts


def text_coverage(row, fields, language):
    """The Coverage in ``language`` of ``fields`` of ``row``, a dict of columns (``title_en``, ``title_fr``…)."""
    texts = translated = words = translated_words = 0
    for field in fields:
        english = row[f"{field}_{SOURCE_LANGUAGE}"] or ""
        if not english:
            continue
        count = len(english.split())
        texts += 1
        words += count
        if row[f"{field}_{language}"]:
            translated += 1
            translated_words += count
    return Coverage(texts, translated, words, translated_words)


def _columns(model):
    fields = translated_fields(model)
    return fields, [f"{field}_{code}" for field in fields for code in CONTENT_LANGUAGES]


def _coverages(row, fields):
    return {code: text_coverage(row, fields, code) for code in TARGET_LANGUAGES}


def _added(*coverages):
    return {code: sum((item[code] for item in coverages), Coverage()) for code in TARGET_LANGUAGES}


@dataclasses.dataclass
class Progress:
    """One forum's, roundtable's or session's figures: ``own`` covers its own texts, ``total`` those of the
    records under it too; both map a language ("fr", "es") to a Coverage."""

    pk: int
    label: str
    own: dict
    total: dict
    children: list = dataclasses.field(default_factory=list)  # the roundtables of a forum, sessions of a roundtable

    @property
    def languages(self):
        """[(language name, Coverage of everything)], French then Spanish."""
        return [(LANGUAGE_NAMES[code], self.total[code]) for code in TARGET_LANGUAGES]

    @property
    def gaps(self):
        """Per language (French, then Spanish), what misses it in this forum, for links to fix it: a Gap."""
        return [self.gap(code) for code in TARGET_LANGUAGES]

    def gap(self, language):
        """What misses ``language`` in this forum: its own texts, the roundtables whose own texts miss it and
        the sessions of which a text (their own or an issue's) misses it."""
        return Gap(
            language=language,
            own=not self.own[language].is_complete,
            roundtables=[child for child in self.children if not child.own[language].is_complete],
            sessions=[
                session
                for child in self.children
                for session in child.children
                if not session.total[language].is_complete
            ],
        )


@dataclasses.dataclass(frozen=True)
class Gap:
    """What misses one language in a forum (see Progress.gap)."""

    language: str
    own: bool
    roundtables: list
    sessions: list

    @property
    def name(self):
        """The language's name ("French") in the page's language."""
        return LANGUAGE_NAMES[self.language]

    @property
    def count(self):
        return int(self.own) + len(self.roundtables) + len(self.sessions)


def translation_progress(forums):
    """A Progress per forum of ``forums`` (in their order), its roundtables (by number) as its children and
    their sessions (by number) as theirs. Three queries (roundtables, sessions, issues)."""
    forums = list(forums)
    ids = [forum.pk for forum in forums]
    forum_fields, forum_columns = _columns(Forum)
    roundtable_fields, roundtable_columns = _columns(Roundtable)
    session_fields, session_columns = _columns(Session)
    issue_fields, issue_columns = _columns(Issue)

    issues = {}
    for row in Issue.objects.filter(session__roundtable__forum__in=ids).values("session_id", *issue_columns):
        issues.setdefault(row["session_id"], []).append(_coverages(row, issue_fields))
    sessions = {}
    session_rows = (
        Session.objects.filter(roundtable__forum__in=ids)
        .order_by("number", "pk")
        .values("pk", "number", "roundtable_id", "roundtable__number", *session_columns)
    )
    for row in session_rows:
        own = _coverages(row, session_fields)
        label = f"{row['roundtable__number']}.{row['number']} {row[f'title_{SOURCE_LANGUAGE}'] or ''}".strip()
        total = _added(own, *issues.get(row["pk"], []))
        sessions.setdefault(row["roundtable_id"], []).append(Progress(row["pk"], label, own, total))
    roundtables = {}
    roundtable_rows = (
        Roundtable.objects.filter(forum__in=ids)
        .order_by("number", "pk")
        .values("pk", "number", "forum_id", *roundtable_columns)
    )
    for row in roundtable_rows:
        own = _coverages(row, roundtable_fields)
        children = sessions.get(row["pk"], [])
        label = f"{row['number']}. {row[f'title_{SOURCE_LANGUAGE}'] or ''}".strip()
        total = _added(own, *(child.total for child in children))
        roundtables.setdefault(row["forum_id"], []).append(Progress(row["pk"], label, own, total, children))
    result = []
    for forum in forums:
        own = _coverages({column: getattr(forum, column) for column in forum_columns}, forum_fields)
        children = roundtables.get(forum.pk, [])
        total = _added(own, *(child.total for child in children))
        result.append(Progress(forum.pk, str(forum), own, total, children))
    return result
