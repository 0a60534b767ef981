"""Matching and marking words in the search index, on SQLite (FTS5) and on PostgreSQL (full text).

A query is read once (``parse_query``) the way web search boxes read it: every word must be found
somewhere in a record, ``"two words"`` as a phrase, ``-word`` must not be, ``a or b`` either; session
codes such as ``1.2`` are left to the caller. Each word is looked up as a word start, so ``remit``
finds "remittances".

- **SQLite**: English entries sit in an FTS5 table with the Porter stemmer ("migrations" finds
  "migration"); French and Spanish entries in one without stemming, where a plural ending is dropped
  from the query's words ("remesas" looks for ``remesa*``). Both ignore case and accents.
- **PostgreSQL**: each entry's ``search_vector`` is in its language's configuration (``programme_english``,
  ``programme_french``, ``programme_spanish``: stems, and no accents where the unaccent extension could be
  created), queried with ``to_tsquery`` in the same configuration; GIN-indexed.

``matches`` gives every matching entry of the languages asked, with whether the match is in its title;
``marked`` gives the title and text of a few entries with the matched words between ``START`` and
``STOP``, marked by the database with the same stemming, prefixes and accents as the match.
"""

import json
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import connection

from core.translated import SOURCE_LANGUAGE

START, STOP = "\ue000", "\ue001"  # private-use characters: what matched, until it becomes <mark>
PREFIX_MIN = 3  # shorter words are matched whole: "EU" is not every word starting with "eu"
MAX_TERMS = 8  # words or phrases of a query looked up; the rest are left out
_SESSION_CODE = re.compile(r"^(\d{1,3})\.(\d{1,3})$")
_PIECES = re.compile(r'(-?)"([^"]*)"?|(\S+)')
_WORDS = re.compile(r"\w+")
_ENTRY = "e.kind, e.object_id, e.language, e.title_language, e.text_language"


@dataclass(frozen=True)
class Term:
    """A word or a phrase of the query: its words (letters and digits only)."""

    words: tuple

    def singular(self, language):
        """The term with a French or Spanish plural ending dropped from its last word (``remesas``: ``remesa``),
        for a table that does not stem: the prefix search then finds the singular and the plural."""
        last = self.words[-1]
        lowered = last.casefold()
        if language == "es" and len(last) > 4 and lowered.endswith("es"):
            last = last[:-2]
        elif language in {"es", "fr"} and len(last) > 3 and lowered[-1] in "sx":
            last = last[:-1]
        return Term((*self.words[:-1], last))


@dataclass(frozen=True)
class ParsedQuery:
    """``groups``: each a tuple of alternative terms (one of them must be found), all groups must be;
    ``excluded``: terms that must not be found; ``codes``: session codes (roundtable, session)."""

    groups: tuple = ()
    excluded: tuple = ()
    codes: tuple = field(default=())

    @property
    def has_words(self):
        return bool(self.groups)

    @property
    def terms(self):
        return tuple(term for group in self.groups for term in group)


def parse_query(query):
    """The query as a ``ParsedQuery``: a word or phrase given twice (in any case) counts once, at most
    ``MAX_TERMS`` of them; punctuation around and inside words only separates them."""
    groups, excluded, codes = [], [], []
    seen = set()
    join_next = False
    for negated, phrase, word in _PIECES.findall(query):
        if word and word.casefold() == "or":
            join_next = bool(groups)
            continue
        if word and (match := _SESSION_CODE.match(word)):
            codes.append((int(match[1]), int(match[2])))
            continue
        if word.startswith("-") and len(word) > 1:
            negated, word = "-", word[1:]
        words = tuple(_WORDS.findall(phrase or word))
        key = tuple(word.casefold() for word in words)
        if not words or key in seen:
            continue
        if len(seen) == MAX_TERMS:
            break
        seen.add(key)
        term = Term(words)
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1] = (*groups[-1], term)
        else:
            groups.append((term,))
        join_next = False
    return ParsedQuery(groups=tuple(groups), excluded=tuple(excluded), codes=tuple(dict.fromkeys(codes)))


class Match(NamedTuple):
    """An entry that matched: ``in_title`` is true when its title holds one of the words (1 or 0 on SQLite, as
    its rows give it). (A tuple made straight from a row: a common word matches hundreds of entries, and a tuple is
    made several times faster than a frozen dataclass.)"""

    entry_id: int
    kind: str
    object_id: int
    language: str
    in_title: bool


def _ids_json(ids):
    return json.dumps([int(pk) for pk in ids])


class SQLiteEngine:
    TABLES = {"en": "programme_search_en", "other": "programme_search_words"}

    def _table(self, language):
        return self.TABLES["en" if language == SOURCE_LANGUAGE else "other"]

    def _term(self, term, language):
        term = term if language == SOURCE_LANGUAGE else term.singular(language)
        star = "*" if len(term.words[-1]) >= PREFIX_MIN else ""
        return f'"{" ".join(term.words)}"{star}'  # words are letters and digits: nothing to escape

    def expression(self, parsed, language):
        """The FTS5 query: ``("a"* OR "b"*) AND "c d"* NOT ("e"*)``."""
        groups = ["(" + " OR ".join(self._term(term, language) for term in group) + ")" for group in parsed.groups]
        expression = " AND ".join(groups)
        if parsed.excluded:
            expression += " NOT (" + " OR ".join(self._term(term, language) for term in parsed.excluded) + ")"
        return expression

    def title_expression(self, parsed, language):
        """The FTS5 query "one of the words in the title": ``title : ("a"* OR "b"*)``."""
        return "title : (" + " OR ".join(self._term(term, language) for term in parsed.terms) + ")"

    def matches(self, parsed, languages):
        # "in the title": the entries the title query finds, looked up once (rather than ranking every match)
        parts, params = [], []
        for language in languages:
            table = self._table(language)
            parts.append(
                f"SELECT e.id, e.kind, e.object_id, e.language, "
                f"e.id IN (SELECT rowid FROM {table} WHERE {table} MATCH %s) "
                f"FROM {table} JOIN programme_searchentry e ON e.id = {table}.rowid "
                f"WHERE {table} MATCH %s AND e.language = %s"
            )
            params += [self.title_expression(parsed, language), self.expression(parsed, language), language]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return list(map(Match._make, cursor.fetchall()))

    def marked_parts(self, parsed, language, ids):
        """The entries ``ids`` among those the query matches, marked. The query is matched once and its rows kept
        when their id is one of ``ids`` (``+rowid``: a condition FTS5 is not given). Given to FTS5, each id was
        a match of its own, whose word-start lookups cost about as much as the whole match: twenty entries took
        1.2-1.3 ms rather than about 0.46 (bench/peers.py's database of 308 sessions, "migration")."""
        table = self._table(language)
        sql = (
            f"SELECT {_ENTRY}, highlight({table}, 0, %s, %s), highlight({table}, 1, %s, %s) "
            f"FROM {table} JOIN programme_searchentry e ON e.id = {table}.rowid "
            f"WHERE {table} MATCH %s AND +{table}.rowid IN (SELECT value FROM json_each(%s))"
        )
        return sql, [START, STOP, START, STOP, self.expression(parsed, language), _ids_json(ids)]

    def plain_part(self, kinds, object_ids, languages):
        sql = (
            f"SELECT {_ENTRY}, e.title, e.text FROM programme_searchentry e "
            "WHERE e.kind IN (SELECT value FROM json_each(%s)) AND e.object_id IN (SELECT value FROM json_each(%s)) "
            "AND e.language IN (SELECT value FROM json_each(%s))"
        )
        return sql, [json.dumps(sorted(kinds)), _ids_json(sorted(object_ids)), json.dumps(list(languages))]


class PostgreSQLEngine:
    CONFIGURATIONS = {"en": "programme_english", "fr": "programme_french", "es": "programme_spanish"}
    HEADLINE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"

    def _term(self, term):
        lexemes = " <-> ".join(f"'{word}'" for word in term.words)  # words are letters and digits
        star = ":*" if len(term.words[-1]) >= PREFIX_MIN else ""
        return f"({lexemes}{star})"

    def expression(self, parsed):
        """The ``to_tsquery`` text: ``('a':* | 'b':*) & ('c' <-> 'd':*) & !('e':*)``."""
        groups = ["(" + " | ".join(self._term(term) for term in group) + ")" for group in parsed.groups]
        if parsed.excluded:
            groups.append("!(" + " | ".join(self._term(term) for term in parsed.excluded) + ")")
        return " & ".join(groups)

    def any_expression(self, parsed):
        return " | ".join(self._term(term) for term in parsed.terms)

    def matches(self, parsed, languages):
        parts, params = [], []
        for language in languages:
            configuration = self.CONFIGURATIONS[language]
            parts.append(
                "SELECT e.id, e.kind, e.object_id, e.language, "
                "ts_filter(e.search_vector, '{a}') @@ to_tsquery(%s::regconfig, %s) FROM programme_searchentry e "
                "WHERE e.language = %s AND e.search_vector @@ to_tsquery(%s::regconfig, %s)"
            )
            params += [configuration, self.any_expression(parsed), language, configuration, self.expression(parsed)]
        with connection.cursor() as cursor:
            cursor.execute(" UNION ALL ".join(parts), params)
            return list(map(Match._make, cursor.fetchall()))

    def marked_parts(self, parsed, language, ids):
        configuration = self.CONFIGURATIONS[language]
        query = "to_tsquery(%s::regconfig, %s)"
        sql = (
            f"SELECT {_ENTRY}, ts_headline(%s::regconfig, e.title, {query}, %s), "
            f"ts_headline(%s::regconfig, e.text, {query}, %s) FROM programme_searchentry e WHERE e.id = ANY(%s)"
        )
        expression = self.expression(parsed)
        params = [configuration, configuration, expression, self.HEADLINE] * 2 + [[int(pk) for pk in ids]]
        return sql, params

    def plain_part(self, kinds, object_ids, languages):
        sql = (
            f"SELECT {_ENTRY}, e.title, e.text FROM programme_searchentry e "
            "WHERE e.kind = ANY(%s) AND e.object_id = ANY(%s) AND e.language = ANY(%s)"
        )
        return sql, [sorted(kinds), sorted(int(pk) for pk in object_ids), list(languages)]


def engine():
    return PostgreSQLEngine() if connection.vendor == "postgresql" else SQLiteEngine()


def marked(parsed, *, matched, plain=(), languages=()):
    """The texts of the ``matched`` entries (``Match``) with their matched words between START and STOP, and
    the entries in ``languages`` of the records ``plain`` ((kind, record id) pairs) as stored; one query.
    Rows: (kind, record id, entry language, title language, text language, title, text, is marked)."""
    found = engine()
    parts, params = [], []
    by_language = {}
    for match in matched:
        by_language.setdefault(match.language, []).append(match.entry_id)
    for language, ids in by_language.items():
        sql, values = found.marked_parts(parsed, language, ids)
        parts.append(sql.replace("SELECT ", "SELECT 1, ", 1))
        params += values
    if plain:
        sql, values = found.plain_part({kind for kind, _pk in plain}, {pk for _kind, pk in plain}, languages)
        parts.append(sql.replace("SELECT ", "SELECT 0, ", 1))
        params += values
    if not parts:
        return []
    wanted = set(plain)
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts), params)
        return [
            (*row[1:6], row[6] or "", row[7] or "", bool(row[0]))
            for row in cursor.fetchall()
            if row[0] or (row[1], row[2]) in wanted
        ]
