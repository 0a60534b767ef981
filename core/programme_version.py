"""The programme's version stamp: what cached pages and PDFs are checked against.

A change to what the public sees moves the version up by one, once per transaction, when it
commits (one UPDATE of the stamp row, outside the editor's transaction). A cached page or PDF made
from an older version is then never served again, by any process.

This module imports no app. Each app declares, in its ``ready()``, which of its records the public
sees, with ``watch_public(model, relations=..., is_public=...)``:

- ``roundtables``: forums, roundtables, themes (and it names the stamp's own model, ``use_stamp``);
- ``programme_sessions``: rooms, organisations, people, sessions and their themes, issues,
  participations, documents with their files, sessions and roundtables;
- ``contributions``: a contribution and its themes, only while it is approved
  (``is_public``); its approval, rejection or withdrawal are reported by
  ``contributions.services`` through ``programme_changed()``.

Saves, deletes and many-to-many changes of exactly those senders are listened to; nothing else is:
a user's groups, a login, Django's session store, a pending contribution or a roundtable's
coordinators (never shown publicly) leave the version alone. ``public_watch_list()`` tells what is
watched. Queryset ``update()`` and ``bulk_create()`` send no signals: code that writes with them
calls ``programme_changed()`` (or ``programme_bump()``) itself, as ``make_synthetic_forum`` does.

After each bump, ``programme_version_changed`` is sent (once per committed transaction), for what
must follow a change without this module knowing it, such as queueing fresh PDFs.
"""

import logging
import os
import sqlite3
import threading
from urllib.parse import quote

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

_M2M_ACTIONS = {"post_add", "post_remove", "post_clear"}

# Sent after the version went up, with ``using`` (the database alias). Receivers' errors are logged.
programme_version_changed = Signal()
_OWED = "programme_bump_owed"  # attribute set on the database connection


def programme_version():
    """The current version of the programme (one small query).

    With the database in an SQLite file, the query goes through a connection of this process kept
    open for it (``_file_reader``) rather than Django's, which SQLite settings open and close with
    every request: a cached page then costs no connection at all. Each read is its own transaction
    of the file itself, so it sees every bump committed by any process, as Django's would.
    """
    return programme_stamp()[0]


def programme_stamp():
    """``(version, changed at)`` of the programme, read as ``programme_version`` reads the version. The time
    of the last bump tells apart two states of the same version number, which a database emptied and filled
    again (a restored backup, a test's flush) can give: what is kept for a state keys on both."""
    try:
        reader = _file_reader()
        if reader is not None:
            return reader.stamp()
    except sqlite3.Error:  # no file or no table yet (before migrate): Django's connection answers
        _readers.clear()  # reopened at the next call
    return _read_stamp(connections[DEFAULT_DB_ALIAS])


def _read_stamp(connection):
    """The stamp through Django's connection, in plain SQL: no queryset to build and compile, which
    costs about ten times the query itself (PostgreSQL, in process: 26-35 µs of CPU against 360-390)."""
    meta = _stamp_model()._meta
    quote = connection.ops.quote_name
    table, key = quote(meta.db_table), quote(meta.pk.column)
    version, changed_at = (quote(meta.get_field(name).column) for name in ("version", "changed_at"))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {version}, {changed_at} FROM {table} WHERE {key} = %s", [1])
        row = cursor.fetchone()
    return ((row[0] or 0), row[1]) if row else (0, None)


class _StampFileReader:
    """A connection of this process to the SQLite file, reading the stamp row and nothing else."""

    def __init__(self, path, table):
        # mode=rw: never creates the file; isolation_level=None: each SELECT is its own read transaction.
        address = f"file:{quote(path)}?mode=rw"
        self.connection = sqlite3.connect(address, uri=True, timeout=5, isolation_level=None, check_same_thread=False)
        self.sql = f'SELECT version, changed_at FROM "{table}" WHERE id = 1'

    def stamp(self):
        rows = self.connection.execute(self.sql).fetchall()  # read to the end: the read transaction ends here
        return ((rows[0][0] or 0), rows[0][1]) if rows else (0, None)


_readers = {}


def _file_reader():
    """This process's reader of the stamp, when the default database is an SQLite file; else None."""
    connection = connections[DEFAULT_DB_ALIAS]
    # Inside a transaction, Django's connection answers: the transaction sees what it wrote itself.
    if connection.vendor != "sqlite" or connection.is_in_memory_db() or connection.in_atomic_block:
        return None
    path = str(connection.settings_dict["NAME"])
    key = (os.getpid(), threading.get_ident(), path)  # a forked worker, or another thread, opens its own
    reader = _readers.get(key)
    if reader is None:
        reader = _readers[key] = _StampFileReader(path, _stamp_model()._meta.db_table)
    return reader


def programme_bump(*, using=DEFAULT_DB_ALIAS):
    """Move the version up now (one UPDATE). Most code calls ``programme_changed()`` instead."""
    stamps = _stamp_model().objects.using(using)
    updated = stamps.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now())
    if not updated:
        stamps.get_or_create(pk=1, defaults={"version": 1})
    for receiver, error in programme_version_changed.send_robust(sender=_stamp_model(), using=using):
        if isinstance(error, Exception):
            logger.error("%r failed after the programme version moved: %r", receiver, error, exc_info=error)


class _Owed:
    """The bump one transaction owes, shared by the on-commit callbacks of its changes."""

    done = False


def _bump_callback(owed, using):
    def programme_bump_on_commit():
        if not owed.done:  # the first callback of the transaction does the work
            owed.done = True
            programme_bump(using=using)

    return programme_bump_on_commit


def programme_changed(*, using=DEFAULT_DB_ALIAS):
    """Note that what the public sees has changed: the version goes up once, when the transaction commits.

    Each call registers an on-commit callback (a list append); the callbacks of one transaction share
    one ``_Owed``, so its commit runs one UPDATE. A rolled-back savepoint drops only its own callbacks
    (a change kept outside it still bumps), a rolled-back transaction drops them all. Outside a
    transaction the bump happens at once.
    """
    connection = transaction.get_connection(using)
    owed = getattr(connection, _OWED, None)
    if owed is None or owed.done:
        owed = _Owed()
        setattr(connection, _OWED, owed)
    # robust: the change itself is committed; a failed bump is logged, not turned into an error page.
    transaction.on_commit(_bump_callback(owed, using), using=using, robust=True)


def _on_programme_change(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    programme_changed(using=using)


def _on_programme_m2m_change(sender, action, using=DEFAULT_DB_ALIAS, **kwargs):
    if action in _M2M_ACTIONS:
        programme_changed(using=using)


class _Watched:
    """A model whose rows the public sees, with the rule telling which rows are public."""

    def __init__(self, model, is_public):
        self.model = model
        self.is_public = is_public

    def on_change(self, sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
        if self.is_public is None or self.is_public(instance):
            programme_changed(using=using)

    def on_m2m_change(self, sender, instance, action, model, pk_set, using=DEFAULT_DB_ALIAS, **kwargs):
        if action not in _M2M_ACTIONS:
            return
        if self.is_public is None:
            is_public = True
        elif model is self.model:  # changed from the other side: ``pk_set`` holds rows of this model
            # a clear from the other side does not say which rows it removed: count it as public
            is_public = pk_set is None or any(self.is_public(row) for row in model.objects.filter(pk__in=pk_set))
        else:
            is_public = self.is_public(instance)
        if is_public:
            programme_changed(using=using)


_stamp = {}
_watched = {}


def use_stamp(model):
    """Keep the version in ``model`` (one row, pk 1, with ``version`` and ``changed_at``)."""
    _stamp["model"] = model


def _stamp_model():
    return _stamp["model"]


def watch_public(model, *, relations=(), is_public=None):
    """Move the version on every committed save, delete or change of ``relations`` of ``model``.

    ``is_public(instance)`` narrows it to the rows the public sees (a contribution while approved).
    """
    watched = _Watched(model, is_public)
    _watched[model._meta.label] = (watched, tuple(relations))
    uid = f"programme_stamp:{model._meta.label}"
    post_save.connect(watched.on_change, sender=model, dispatch_uid=f"{uid}:save", weak=False)
    post_delete.connect(watched.on_change, sender=model, dispatch_uid=f"{uid}:delete", weak=False)
    for name in relations:
        through = getattr(model, name).through
        m2m_changed.connect(watched.on_m2m_change, sender=through, dispatch_uid=f"{uid}.{name}", weak=False)


def public_watch_list():
    """``{model label: relation names}`` of everything watched."""
    return {label: relations for label, (watched, relations) in _watched.items()}
