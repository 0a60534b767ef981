"""Reads of the session page whose SQL is compiled once per process: building a queryset's SQL (joins,
selected columns, the visibility rule's subqueries) costs more than running it, on a page built from the
database for each request.

A read is a function making the queryset from its arguments. The first time a read is asked for (in a
given database, language, and for staff or for the public: each may change the SQL) it is made with
stand-in arguments, compiled, and its SQL kept with the places of the stand-ins among its parameters;
then every request runs that SQL with its own arguments and makes the records of the rows as Django's
own iteration makes them (converters, related records, annotations). Only SQL is kept, never a row:
each request reads the database.
"""

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models.query import get_related_populators
from django.utils.translation import get_language

from core.permissions import can_preview

_COMPILED = {}


class _Argument:
    """The place of an argument among a compiled query's parameters."""

    def __init__(self, name):
        self.name = name

    def __eq__(self, other):
        return isinstance(other, _Argument) and other.name == self.name

    def __hash__(self):
        return hash(self.name)


def _stand_ins(arguments, variant):
    """Stand-ins of ``arguments`` found again by value among the parameters: odd strings, and numbers in the
    range of every integer field (out of its range, Django would leave a condition out of the SQL, or make it
    false). Two variants: a constant of the query equal to a stand-in would take its place in one only."""
    return {
        name: f"\x00stand-in {variant} {index}\x00" if isinstance(value, str) else 32_700 - 100 * variant - index
        for index, (name, value) in enumerate(sorted(arguments.items()))
    }


def read(name, build, *, user, **arguments):
    """The records of the queryset ``build(**arguments)`` makes, its SQL compiled once (module docstring).
    Arguments are integers (ids, numbers) or strings (slugs); ``user`` decides only staff or public."""
    connection = connections[DEFAULT_DB_ALIAS]
    shape = tuple(sorted((argument, isinstance(value, str)) for argument, value in arguments.items()))
    key = (name, connection.vendor, get_language(), can_preview(user), shape)
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled, again = (_compile(build, _stand_ins(arguments, variant)) for variant in (0, 1))
        if compiled[:2] != again[:2]:
            raise ValueError(f"{name}: the SQL or the places of its arguments depend on their values")
        _COMPILED[key] = compiled
    sql, parameters, model, (start, stop, names), related, annotations, converters, db = compiled
    values = [arguments[param.name] if isinstance(param, _Argument) else param for param in parameters]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        rows = cursor.fetchall()
    records = []
    for row in rows:
        if converters:
            row = list(row)
            for position, (functions, expression) in converters.items():
                for function in functions:
                    row[position] = function(row[position], expression, connection)
        record = model.from_db(db, names, row[start:stop])
        for populator in related:
            populator.populate(row, record)
        for annotation, position in annotations.items():
            setattr(record, annotation, row[position])
        records.append(record)
    return records


def _compile(build, stand_ins):
    queryset = build(**stand_ins)
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    names = {value: name for name, value in stand_ins.items()}
    parameters = []
    for param in params:
        name = names.get(param) if type(param) in (int, str) else None
        parameters.append(param if name is None else _Argument(name))
    found = {param.name for param in parameters if isinstance(param, _Argument)}
    if found != set(stand_ins):
        raise ValueError(f"arguments not among the compiled parameters: {sorted(set(stand_ins) - found)}")
    select, klass_info = compiler.select, compiler.klass_info
    fields = klass_info["select_fields"]
    start, stop = fields[0], fields[-1] + 1
    return (
        sql,
        tuple(parameters),
        klass_info["model"],
        (start, stop, [column[0].target.attname for column in select[start:stop]]),
        get_related_populators(klass_info, select, queryset.db),
        dict(compiler.annotation_col_map or {}),
        compiler.get_converters([column[0] for column in select]),
        queryset.db,
    )
