"""Which of the records search matched a visitor may see, and in what order.

Each kind's records are filtered through the kind's public queryset (``visible_to(user)``, as on the pages)
and numbered in the programme's order (``KINDS``); a union of those parts (one query for all kinds) gives every
record a kind of visitor may find, with its place and, for a session, its code. ``visible`` keeps those places
while the programme's stamp (``core.programme_version``, which every change to the programme moves, drafts
included) stays the same, so a search then asks no query to order what it matched: the matches are looked up
among the places and sorted in Python. The union's SQL is compiled once per database and kind of visitor (who
may preview drafts, or not: all that ``visible_to`` asks of the visitor, ``core.permissions.can_preview``).

The records a page of results shows are read by id the same way (``read_records``: ``RECORDS`` compiled once
per kind, the records made of the rows as Django's own iteration makes them); their visibility was decided
when they were ordered, so it is not asked again.
"""

import json
from dataclasses import dataclass

from django.db import connection
from django.db.models import BooleanField, Exists, F, OuterRef, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import RowNumber
from django.db.models.query import get_related_populators

from contributions.models import Contribution
from contributions.selectors import contributions_for_search
from core.permissions import can_preview
from core.programme_version import programme_stamp
from core.translated import SOURCE_LANGUAGE, translated_fields
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Document, Issue, Participation, Person, Room, Session

from .models import SearchEntry

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
    # ``is_public`` is annotated by Document.objects.with_is_public (RECORDS)
    _Kind(Kind.DOCUMENTS, ("-circulated_on", "title", "pk"), lambda document: not document.is_public),
    _Kind(Kind.CONTRIBUTIONS, ("-submitted_at", "-pk"), lambda contribution: False),  # only published ones
    _Kind(
        Kind.ROOMS,
        ("-forum__starts_on", "forum", "position", "name", "pk"),
        lambda room: not room.forum.is_published,
        has_snippet=False,
    ),
)


# What a page of results reads of each kind's records, by id: what the template shows with them. Visibility was
# decided when the ids were ordered (``ordered_ids``), so it is not asked again.
RECORDS = {
    Kind.SESSIONS: lambda: Session.objects.select_related("roundtable__forum"),
    Kind.ISSUES: lambda: Issue.objects.select_related("session__roundtable__forum"),
    Kind.ROUNDTABLES: lambda: Roundtable.objects.select_related("forum"),
    Kind.THEMES: lambda: Theme.objects.all(),
    Kind.PEOPLE: lambda: Person.objects.select_related("organisation"),
    Kind.DOCUMENTS: lambda: Document.objects.with_is_public().select_related("forum"),  # is_public: drafts
    Kind.CONTRIBUTIONS: lambda: Contribution.objects.select_related("forum"),
    Kind.ROOMS: lambda: Room.objects.select_related("forum"),
}


class Querysets:
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
        """``Person.objects.visible_to``, said as "among the people of the visible sessions' roles": the same
        people (a test compares them), but SQLite looks the roles up once rather than once for each person."""
        if can_preview(self.user):
            return Person.objects.visible_to(self.user).select_related("organisation")
        sessions = Session.objects.visible_to(self.user)
        roles = Participation.objects.filter(session__in=sessions.values("pk")).values("person_id")
        return Person.objects.filter(pk__in=roles).select_related("organisation")

    def _documents(self):
        return Document.objects.visible_to(self.user).select_related("forum")

    def _contributions(self):
        return contributions_for_search()

    def _rooms(self):
        """A room is offered by its forum's programme filter while a session the visitor sees is in it."""
        sessions = Session.objects.visible_to(self.user)
        return Room.objects.filter(Exists(sessions.filter(room=OuterRef("pk")))).select_related("forum")


class _Slot:
    """A parameter left open in a compiled query (the ids of the records to read): found again among the
    compiled query's parameters by identity, and given each read's value."""

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"<slot {self.name}>"


def _id_condition(model, ids):
    """The condition "the record's id is one of ``ids``", with ``ids`` one parameter: on SQLite a JSON list (a
    statement's parameters are limited), on PostgreSQL an array compared with ``= ANY`` (planned as a list; a
    subquery of the array made it compare every pair). The same SQL whatever the number of ids: compiled once."""
    quote = connection.ops.quote_name
    column = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
    if connection.vendor == "postgresql":
        return RawSQL(f"{column} = ANY(%s)", (ids,), output_field=BooleanField())
    return RawSQL(f"{column} IN (SELECT value FROM json_each(%s))", (ids,), output_field=BooleanField())


def _id_value(ids):
    ids = [int(pk) for pk in ids]
    return ids if connection.vendor == "postgresql" else json.dumps(ids)


def _in_english(model, order):
    """``order`` with each translated field of ``model`` read in English, the source language (its original
    column is not kept up to date once translated): "title" is "title_en", "-name" "-name_en"."""
    translated = translated_fields(model)
    return [f"{term}_{SOURCE_LANGUAGE}" if term.lstrip("-") in translated else term for term in order]


ORDERED_COLUMNS = ("search_kind", "pk", "search_position", "search_roundtable", "search_number")


def _visible_part(spec, queryset):
    """Every record of ``queryset`` (a kind's public one) as rows of ``ORDERED_COLUMNS``: the kind, the id, the
    place in the programme's order and, for a session, the two numbers of its code (0 for other kinds); in that
    order of columns, as a union needs."""
    roundtable, number = Value(0), Value(0)
    if spec.kind == Kind.SESSIONS:
        roundtable, number = F("roundtable__number"), F("number")
    # A model with translated fields has a queryset that would select the columns in an order of its own
    # (and rewrite every lookup, none of which here is of a translated field).
    if hasattr(queryset, "rewrite"):
        queryset = queryset.rewrite(False)
    return (
        queryset.order_by()
        .annotate(
            search_kind=Value(spec.kind),
            search_position=Window(RowNumber(), order_by=_in_english(queryset.model, spec.order)),
            search_roundtable=roundtable,
            search_number=number,
        )
        .values_list(*ORDERED_COLUMNS)
    )


def visible_parts(querysets):
    """One queryset per kind: ``_visible_part`` of the kind's public queryset in ``querysets``."""
    return [_visible_part(spec, querysets[spec.kind]) for spec in KINDS]


@dataclass(frozen=True)
class Visible:
    """What one kind of visitor may find: ``places[kind]`` is {record id: place in the programme's order} of the
    kind's visible records; ``sessions_by_code`` is {(roundtable number, session number): [session id, ...]}."""

    places: dict
    sessions_by_code: dict


# The compiled union of every kind's part, by database and whether the visitor sees drafts (the one thing about
# the visitor that ``visible_to`` asks: ``core.permissions.can_preview``). Building and compiling these querysets
# cost more than running them; their SQL never changes while the process runs.
_COMPILED = {}


def _compiled_union(user):
    key = (connection.alias, connection.vendor, can_preview(user))
    if key not in _COMPILED:
        sqls, params = [], []
        for part in visible_parts(Querysets(user)):
            sql, part_params = part.query.get_compiler(using=part.db).as_sql()
            sqls.append(sql)
            params += part_params
        _COMPILED[key] = (" UNION ALL ".join(sqls), tuple(params))
    return _COMPILED[key]


def visible_rows(user):
    """The rows of every kind's ``_visible_part`` for ``user``'s kind of visitor, in one query."""
    sql, params = _compiled_union(user)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _read_visible(user):
    places = {spec.kind: {} for spec in KINDS}
    sessions_by_code = {}
    for kind, pk, place, roundtable, number in visible_rows(user):
        places[kind][pk] = place
        if kind == Kind.SESSIONS:
            sessions_by_code.setdefault((roundtable, number), []).append(pk)
    return Visible(places=places, sessions_by_code=sessions_by_code)


# The latest ``Visible`` read in this process, by database and kind of visitor, with the programme's stamp it was
# read at (``core.programme_version``): every change to what anyone sees, drafts included, moves the stamp.
_KEPT = {}


def visible(user):
    """The ``Visible`` records of ``user``'s kind of visitor, read from the database once per programme version:
    the rows of the kinds' public querysets (``visible_rows``), kept while the stamp stays the same and read
    again after any change, in this or another process, as the page cache checks its pages.

    The stamp is read before the rows, so what is kept is never older than its stamp. Inside a transaction, the
    stamp says nothing of the transaction's own changes, which move it only once committed: there the rows are
    read for each search and nothing is kept."""
    if connection.in_atomic_block:
        return _read_visible(user)
    key = (connection.alias, connection.vendor, can_preview(user))
    stamp = programme_stamp()
    kept = _KEPT.get(key)
    if kept is None or kept[0] != stamp:
        kept = _KEPT[key] = (stamp, _read_visible(user))
    return kept[1]


def ordered_ids(found, codes, user):
    """({kind: [record id, ...]}, {session id, ...}): the records ``found`` that ``user`` may see and the visible
    sessions with one of the ``codes``, each kind in order (a session with one of the codes first, then the
    records whose title holds a word, then the programme's order); and the sessions found by their code.
    No query while the programme stays as it was when ``visible`` last read it."""
    if not any(found.values()) and not codes:
        return {}, set()
    shown = visible(user)
    code_matches = {pk for code in codes for pk in shown.sessions_by_code.get(code, ())}
    ordered = {}
    for spec in KINDS:
        places = shown.places[spec.kind]
        matches = found.get(spec.kind, {})
        keys = [(not match.in_title, places[pk], pk) for pk, match in matches.items() if pk in places]
        if spec.kind == Kind.SESSIONS and code_matches:  # first, whether their words matched or not
            keys = [(key[-1] not in code_matches, *key) for key in keys]
            keys += [(False, True, places[pk], pk) for pk in code_matches if pk not in matches]
        if keys:
            ordered[spec.kind] = [key[-1] for key in sorted(keys)]
    return ordered, code_matches


# The compiled SQL of each kind's RECORDS read by id, with what Django needs to make the records of its rows, by
# database and kind (``read_records``).
_READS = {}


def _populate(populator, row, record, made):
    """What Django's ``populator.populate(row, record)`` does, but a related record already made for an earlier
    row of the same read (``made``: by model and id) is given again rather than made again: the sessions of a
    page of results share a few roundtables and one forum, and making a record costs more than reading it."""
    if populator.reorder_for_init:
        data = populator.reorder_for_init(row)
    else:
        data = row[populator.cols_start : populator.cols_end]
    pk = data[populator.pk_idx]
    related = None
    if pk is not None:
        related = made.get((populator.model_cls, pk))
        if related is None:
            related = made[populator.model_cls, pk] = populator.model_cls.from_db(
                populator.db, populator.init_list, data
            )
            for nested in populator.related_populators:
                _populate(nested, row, related, made)
    populator.local_setter(record, related)
    if related is not None:
        populator.remote_setter(related, record)


def read_records(kind, ids):
    """The records of ``kind`` with ``ids``, as ``RECORDS[kind]().filter(pk__in=ids)`` gives them (with their
    related records and annotations); its SQL compiled once per process, the records made of the rows as
    Django's own iteration makes them, except that records related to several (their roundtable, their forum)
    are made once (``_populate``)."""
    key = (connection.alias, connection.vendor, kind)
    if key not in _READS:
        queryset = RECORDS[kind]()
        queryset = queryset.filter(_id_condition(queryset.model, _Slot("ids")))
        compiler = queryset.query.get_compiler(using=queryset.db)
        sql, params = compiler.as_sql()
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        start, stop = fields[0], fields[-1] + 1
        _READS[key] = (
            sql,
            tuple(params),
            klass_info["model"],
            (start, stop, [column[0].target.attname for column in select[start:stop]]),
            get_related_populators(klass_info, select, queryset.db),
            dict(compiler.annotation_col_map or {}),
            compiler.get_converters([column[0] for column in select]),
            queryset.db,
        )
    sql, compiled, model, (start, stop, names), related, annotations, converters, db = _READS[key]
    with connection.cursor() as cursor:
        cursor.execute(sql, [_id_value(ids) if isinstance(param, _Slot) else param for param in compiled])
        rows = cursor.fetchall()
    records = []
    made = {}
    for row in rows:
        if converters:
            row = list(row)
            for position, (functions, expression) in converters.items():
                for function in functions:
                    row[position] = function(row[position], expression, connection)
        record = model.from_db(db, names, row[start:stop])
        for populator in related:
            _populate(populator, row, record, made)
        for name, position in annotations.items():
            setattr(record, name, row[position])
        records.append(record)
    return records
