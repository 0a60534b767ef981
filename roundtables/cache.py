"""The programme's version stamp: what cached pages and PDFs are checked against.

A change to what the public sees moves the version up by one, once per transaction, when it
commits (one UPDATE of the stamp row, outside the editor's transaction). A cached page or PDF made
from an older version is then never served again, by any process.

What counts as such a change is written here, in one place:

- every save, delete and many-to-many change of the programme records listed in
  ``PUBLIC_MODELS`` and ``PUBLIC_RELATIONS`` (forums, roundtables, themes, sessions and their
  themes, issues, people, organisations, participations, rooms, documents with their files, sessions
  and roundtables). These are written by
  the admin, the loader, the archive import, restores and scripts alike, so they are noticed with
  ``post_save``/``post_delete``/``m2m_changed`` receivers connected to exactly those senders
  (``connect_signals``, called from the app's ``ready``); nothing else is listened to: a user's
  groups, a login, Django's session store, a contribution's good practices or a roundtable's
  coordinators (never shown publicly) leave the version alone;
- a contribution, only while the public can see it: its approval, and its rejection or withdrawal
  when it was approved, are reported by ``contributions.services`` through
  ``programme_changed()``; an edit, a theme change or the deletion of an approved contribution
  (in the admin) is noticed by ``_on_contribution_change``. A pending contribution never moves it.

Queryset ``update()`` and ``bulk_create()`` send no signals: code that writes with them calls
``programme_changed()`` (or ``programme_bump()``) itself, as ``make_synthetic_forum`` does.

After each bump, ``programme_version_changed`` is sent (once per committed transaction), for what
must follow a change without this module knowing it, such as queueing fresh PDFs.
"""

import logging

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

# (app label, model name) of the records the public pages, calendars and PDFs show.
PUBLIC_MODELS = [
    ("roundtables", "Forum"),
    ("roundtables", "Roundtable"),
    ("roundtables", "Theme"),
    ("programme_sessions", "Room"),
    ("programme_sessions", "Organisation"),
    ("programme_sessions", "Person"),
    ("programme_sessions", "Session"),
    ("programme_sessions", "Issue"),
    ("programme_sessions", "Participation"),
    ("programme_sessions", "Document"),
    ("programme_sessions", "DocumentFile"),
]
# Many-to-many fields shown publicly: (app label, model name, field name).
PUBLIC_RELATIONS = [
    ("programme_sessions", "Session", "themes"),
    ("programme_sessions", "Document", "sessions"),
    ("programme_sessions", "Document", "roundtables"),
]
# Contributions are public only once approved; their themes show on the theme pages.
CONTRIBUTION_LABEL = "contributions.Contribution"
CONTRIBUTION_RELATIONS = [("contributions", "Contribution", "themes")]

_M2M_ACTIONS = {"post_add", "post_remove", "post_clear"}

# Sent after the version went up, with ``using`` (the database alias). Receivers' errors are logged.
programme_version_changed = Signal()
_OWED = "programme_bump_owed"  # attribute set on the database connection


def programme_version():
    """The current version of the programme (one small query)."""
    from .models import ProgrammeStamp

    version = ProgrammeStamp.objects.filter(pk=1).values_list("version", flat=True).first()
    return version or 0


def programme_bump(*, using=DEFAULT_DB_ALIAS):
    """Move the version up now (one UPDATE). Most code calls ``programme_changed()`` instead."""
    from .models import ProgrammeStamp

    stamps = ProgrammeStamp.objects.using(using)
    updated = stamps.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now())
    if not updated:
        stamps.get_or_create(pk=1, defaults={"version": 1})
    for receiver, error in programme_version_changed.send_robust(sender=ProgrammeStamp, using=using):
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


def _contribution_is_public(contribution):
    return contribution.status == contribution.Status.APPROVED


def _on_contribution_change(sender, instance, using=DEFAULT_DB_ALIAS, **kwargs):
    if _contribution_is_public(instance):
        programme_changed(using=using)


def _on_contribution_m2m_change(sender, instance, action, model, pk_set, using=DEFAULT_DB_ALIAS, **kwargs):
    if action not in _M2M_ACTIONS:
        return
    if model._meta.label == CONTRIBUTION_LABEL:  # changed from a theme's side: ``pk_set`` holds contributions
        is_public = pk_set is None or model.objects.filter(pk__in=pk_set).approved().exists()
    else:  # a contribution's themes
        is_public = _contribution_is_public(instance)
    if is_public:
        programme_changed(using=using)


def _through(apps, app_label, model_name, field_name):
    return getattr(apps.get_model(app_label, model_name), field_name).through


def connect_signals():
    """Listen to saves, deletes and many-to-many changes of the public records, and of nothing else."""
    from django.apps import apps

    for app_label, model_name in PUBLIC_MODELS:
        model = apps.get_model(app_label, model_name)
        uid = f"programme_stamp:{app_label}.{model_name}"
        post_save.connect(_on_programme_change, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_on_programme_change, sender=model, dispatch_uid=f"{uid}:delete")
    for app_label, model_name, field_name in PUBLIC_RELATIONS:
        through = _through(apps, app_label, model_name, field_name)
        m2m_changed.connect(
            _on_programme_m2m_change, sender=through, dispatch_uid=f"programme_stamp:{model_name}.{field_name}"
        )

    if apps.is_installed("contributions"):
        contribution = apps.get_model(CONTRIBUTION_LABEL)
        post_save.connect(
            _on_contribution_change, sender=contribution, dispatch_uid="programme_stamp:contribution:save"
        )
        post_delete.connect(
            _on_contribution_change, sender=contribution, dispatch_uid="programme_stamp:contribution:delete"
        )
        for app_label, model_name, field_name in CONTRIBUTION_RELATIONS:
            through = _through(apps, app_label, model_name, field_name)
            m2m_changed.connect(
                _on_contribution_m2m_change,
                sender=through,
                dispatch_uid=f"programme_stamp:contribution.{field_name}",
            )
