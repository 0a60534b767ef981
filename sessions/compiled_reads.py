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


def _stand_in(index, value):
    """A value of ``value``'s type that no real read passes, found again by value among the parameters: an odd
    string, or a large number (a negative one would be out of a positive field's range, and Django would leave
    its condition out of the SQL)."""
    return f"\x00stand-in {index}\x00" if isinstance(value, str) else 1_987_654_321 + index


def read(name, build, *, user, **arguments):
    """The records of the queryset ``build(**arguments)`` makes, its SQL compiled once (module docstring).
    Arguments are integers (ids, numbers) or strings (slugs); ``user`` decides only staff or public."""
    connection = connections[DEFAULT_DB_ALIAS]
    shape = tuple(sorted((argument, isinstance(value, str)) for argument, value in arguments.items()))
    key = (name, connection.vendor, get_language(), can_preview(user), shape)
    compiled = _COMPILED.get(key)
    if compiled is None:
        stand_ins = {arg: _stand_in(index, value) for index, (arg, value) in enumerate(sorted(arguments.items()))}
        compiled = _COMPILED[key] = _compile(build(**stand_ins), {value: arg for arg, value in stand_ins.items()})
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


def _compile(queryset, stand_ins):
    compiler = queryset.query.get_compiler(using=queryset.db)
    sql, params = compiler.as_sql()
    parameters = []
    for param in params:
        name = stand_ins.get(param) if type(param) in (int, str) else None
        parameters.append(param if name is None else _Argument(name))
    found = {param.name for param in parameters if isinstance(param, _Argument)}
    if found != set(stand_ins.values()):
        raise ValueError(f"arguments not among the compiled parameters: {sorted(set(stand_ins.values()) - found)}")
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
