"""Versions of programme records: the edit token that stops lost updates, and readable history.

Several people edit the programme at once. A form carries an *edit token*: a signed fingerprint of
the record (and of the rows edited with it, such as a session's issues) as it was when the form
was opened. Saving compares it with the record as it is now; when someone else saved in between,
the save is refused, and the editor is told who changed what.

The history of a record comes from django-reversion; ``history_entries`` turns its versions into
lists of readable changes.

Longer than 400 lines: the edit token and the readable history share one reading of a record's
fields and of the rows edited with it (``tracked_fields``, ``display_value``), so they stay together;
restoring a version is in ``core.restore``.
"""

import dataclasses
import datetime
import hashlib
import json
from contextlib import contextmanager

import reversion
from django.contrib.contenttypes.models import ContentType
from django.core import signing
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.errors import RevertError
from reversion.models import Version
from reversion.revisions import _get_options

from core.translated import CONTENT_LANGUAGES, SOURCE_LANGUAGE, translated_fields, translation_column

TOKEN_SALT = "gfmd.roundtables.edit-token"

# The rows edited together with a record on its admin page (its inlines): a change to any of them
# by someone else makes an open form out of date.
EDITED_WITH = {
    "roundtables.forum": ["roundtables", "rooms"],
    "roundtables.roundtable": ["sessions"],
    "programme_sessions.session": ["issues", "participations"],
    "programme_sessions.issue": ["points"],
    "programme_sessions.person": ["participations"],
    "programme_sessions.document": ["files"],
}

EMPTY = "—"


@contextmanager
def revision(*, user=None, comment=""):
    """Record the writes made inside as one revision, by ``user``, with ``comment``.

    Inside an admin view, which already records a revision, this joins it and sets its comment.
    """
    with reversion.create_revision():
        if user is not None and user.is_authenticated:
            reversion.set_user(user)
        if comment:
            reversion.set_comment(comment)
        yield


def tracked_fields(model):
    """The fields whose values make up a version: concrete fields and many-to-many, without timestamps.

    A translated text counts by its language columns (``title_en``, ``title_fr``, ``title_es``): its
    original column (``title``) repeats the English text (core.translated) and is left out, so that a
    change to the English title is one change, named once."""
    originals = set(translated_fields(model))
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key
        and field.name not in originals
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]
    return fields + list(model._meta.many_to_many)


def _digest(value):
    return hashlib.sha256(json.dumps(value, default=str, sort_keys=True).encode()).hexdigest()[:20]


def _comparable_value(value):
    """The same instant gives the same value, whatever the time zone it was given in."""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name
    return value


def _label(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _related_rows(obj, accessor):
    manager = getattr(obj, accessor)
    columns = ["pk", *(field.attname for field in tracked_fields(manager.model) if field.concrete)]
    rows = manager.order_by("pk").values_list(*columns)
    return [[_comparable_value(value) for value in row] for row in rows]


def record_state(obj):
    """A fingerprint of ``obj`` and of the rows edited with it, one short digest per part."""
    state = {}
    for field in tracked_fields(type(obj)):
        if field.many_to_many:
            value = sorted(getattr(obj, field.name).values_list("pk", flat=True))
        else:
            value = _comparable_value(field.value_from_object(obj))
        state[field.name] = _digest(value)
    for accessor in EDITED_WITH.get(_label(type(obj)), []):
        state[accessor] = _digest(_related_rows(obj, accessor))
    return state


def _token_for_state(state):
    return signing.dumps({"at": timezone.now().isoformat(), "state": state}, salt=TOKEN_SALT, compress=True)


def edit_token(obj):
    """The token a form carries for ``obj`` as it is now."""
    return _token_for_state(record_state(obj))


@dataclasses.dataclass
class EditConflict:
    """Someone else changed the record since the form was opened."""

    record: models.Model  # the record as it is now
    changed: list  # names of the fields and related rows that changed; empty when the token was unreadable
    revisions: list  # the revisions made meanwhile (their users and dates), latest first
    fresh_token: str  # the token for the record as it is now

    @property
    def editors(self):
        names = []
        for item in self.revisions:
            name = user_display(item.user) if item.user else _("someone else")
            if name not in names:
                names.append(name)
        return names or [_("someone else")]

    @property
    def changed_at(self):
        return self.revisions[0].date_created if self.revisions else None

    def labels(self):
        return [part_label(type(self.record), name) for name in self.changed]

    def values(self):
        """[(label, value as it is now)] for every changed part."""
        return [(part_label(type(self.record), name), display_value(self.record, name)) for name in self.changed]


def edit_conflict(obj, token):
    """The conflict between an edit started with ``token`` and ``obj`` as it is now, or None.

    Locks the record's row until the end of the transaction, so that two saves cannot both pass.
    """
    records = type(obj)._default_manager.all()
    if transaction.get_connection().in_atomic_block:
        records = records.select_for_update()
    current = records.get(pk=obj.pk)
    state = record_state(current)
    try:
        data = signing.loads(token or "", salt=TOKEN_SALT)
        seen, opened_at = data["state"], parse_datetime(data["at"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        seen, opened_at = None, None
    if seen is not None:
        changed = [name for name, digest in state.items() if seen.get(name) != digest]
        if not changed:
            return None
    else:
        changed = []
    return EditConflict(
        record=current,
        changed=changed,
        revisions=_revisions_since(current, opened_at),
        fresh_token=_token_for_state(state),
    )


def _revisions_since(obj, moment):
    versions = Version.objects.get_for_object(obj).select_related("revision__user")
    ordered = versions.order_by("-revision__date_created", "-pk")
    if moment is not None:
        recent = [version.revision for version in ordered.filter(revision__date_created__gt=moment)]
        if recent:
            return recent
    latest = ordered.first()
    return [latest.revision] if latest else []


def user_display(user):
    return user.get_full_name() or user.get_username()


# Translators: a translated text's French column in history and edit-conflict messages, e.g. "Title (French)".
_COLUMN_LABELS = {"fr": gettext_lazy("%(field)s (French)"), "es": gettext_lazy("%(field)s (Spanish)")}


def translation_label(model, name):
    """The name the editor knows a translated text's column by, or None when ``name`` is not one: "Title"
    for ``title_en`` (and for the original ``title``, which holds the English text), "Title (French)" for
    ``title_fr``, "Title (Spanish)" for ``title_es``."""
    for field_name in translated_fields(model):
        if name == field_name:
            code = SOURCE_LANGUAGE
        else:
            code = next((code for code in CONTENT_LANGUAGES if name == translation_column(field_name, code)), None)
            if code is None:
                continue
        label = str(capfirst(model._meta.get_field(field_name).verbose_name))
        if code == SOURCE_LANGUAGE:
            return label
        return str(_COLUMN_LABELS[code] % {"field": label}) if code in _COLUMN_LABELS else f"{label} ({code})"
    return None


def part_label(model, name):
    """The name the editor knows a field or a group of related rows by."""
    label = translation_label(model, name)
    if label is not None:
        return label
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    if field.is_relation and (field.one_to_many or (field.many_to_many and field.auto_created)):
        return str(capfirst(field.related_model._meta.verbose_name_plural))
    return str(capfirst(field.verbose_name))


def display_value(obj, name):
    """The current value of a field or of a group of related rows of ``obj``, as an editor reads it."""
    field = type(obj)._meta.get_field(name)
    if field.one_to_many:
        rows = [str(row) for row in getattr(obj, name).all()]
        return "; ".join(rows) if rows else EMPTY
    if field.many_to_many:
        names = [str(item) for item in getattr(obj, name).all()]
        return ", ".join(names) if names else EMPTY
    if field.choices:
        return str(getattr(obj, f"get_{field.name}_display")()) or EMPTY
    value = getattr(obj, field.name)
    return _format(value)


def _format(value):
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or EMPTY
    return str(value)


# History -----------------------------------------------------------------------------------------


@dataclasses.dataclass
class Change:
    label: str
    old: str = ""
    new: str = ""
    kind: str = "changed"  # or "added", "removed"


@dataclasses.dataclass
class HistoryEntry:
    version: Version
    changes: list

    @property
    def revision(self):
        return self.version.revision


def _field_dict(version):
    """The fields of ``version`` by attname; None when it can no longer be read. A version without a
    translated text's English column (the models' registration with django-reversion lists the fields
    they had before the language columns, and versions saved before those columns lack them too) has
    the text in the original column, which holds the English text: ``title`` gives ``title_en``."""
    try:
        data = version.field_dict
    except (RevertError, LookupError, ValueError):
        return None
    missing = {
        english: data[name]
        for name in translated_fields(version._model)
        if data.get(english := translation_column(name, SOURCE_LANGUAGE)) in (None, "") and data.get(name)
    }
    return {**data, **missing} if missing else data


def _children_specs(model):
    """(accessor, child model, foreign key attname) for the rows a version of ``model`` follows."""
    specs = []
    for name in _get_options(model).follow:
        field = model._meta.get_field(name)
        if field.one_to_many:
            specs.append((name, field.related_model, field.field.attname))
    return specs


class _Names:
    """Readable names of related records, fetched in one query per model."""

    def __init__(self):
        self.wanted = {}
        self.names = {}

    def want(self, model, pks):
        self.wanted.setdefault(model, set()).update(pk for pk in pks if pk is not None)

    def load(self):
        for model, pks in self.wanted.items():
            self.names[model] = {pk: str(obj) for pk, obj in model._base_manager.in_bulk(pks).items()}

    def get(self, model, pk):
        if pk is None:
            return EMPTY
        return self.names.get(model, {}).get(pk, _("#%(pk)s (deleted)") % {"pk": pk})


def _want_names(names, model, values):
    for field in tracked_fields(model):
        if field.is_relation:
            value = values.get(field.attname)
            names.want(field.related_model, value if field.many_to_many else [value])


def _show(field, value, names):
    if field.many_to_many:
        shown = [names.get(field.related_model, pk) for pk in value or []]
        return ", ".join(shown) if shown else EMPTY
    if field.is_relation:
        return names.get(field.related_model, value)
    if field.choices and value not in (None, ""):
        return str(dict(field.flatchoices).get(value, value))
    return _format(value)


def _comparable(field, value):
    return sorted(value or []) if field.many_to_many else value


def _field_changes(model, old, new, names):
    changes = []
    for field in tracked_fields(model):
        before, after = old.get(field.attname), new.get(field.attname)
        if _comparable(field, before) != _comparable(field, after):
            changes.append(
                Change(
                    label=part_label(model, field.name),
                    old=_show(field, before, names),
                    new=_show(field, after, names),
                )
            )
    return changes


def history_entries(model, object_id):
    """The versions of one record, latest first, each with what changed since the one before."""
    versions = list(
        Version.objects.get_for_object_reference(model, object_id)
        .select_related("revision__user")
        .order_by("revision__date_created", "pk")
    )
    specs = _children_specs(model)
    children = {}  # revision id -> accessor -> child object id -> (version, field dict)
    if specs and versions:
        child_models = {child: accessor for accessor, child, _fk in specs}
        candidates = Version.objects.filter(revision__in=[version.revision_id for version in versions])
        candidates = candidates.filter(
            content_type__in=[ContentType.objects.get_for_model(child) for child in child_models]
        )
        for candidate in candidates:
            accessor, child_model, fk_attname = next(spec for spec in specs if spec[1] is candidate._model)
            data = _field_dict(candidate)
            if data is not None and str(data.get(fk_attname)) == str(object_id):
                children.setdefault(candidate.revision_id, {}).setdefault(accessor, {})[candidate.object_id] = (
                    candidate,
                    data,
                )

    names = _Names()
    loaded = [(version, _field_dict(version)) for version in versions]
    for _version, data in loaded:
        if data:
            _want_names(names, model, data)
    for by_accessor in children.values():
        for accessor, rows in by_accessor.items():
            child_model = next(spec[1] for spec in specs if spec[0] == accessor)
            for _child, data in rows.values():
                _want_names(names, child_model, data)
    names.load()

    entries = []
    previous, previous_children = None, {}
    for version, data in loaded:
        current_children = children.get(version.revision_id, {})
        changes = []
        if previous is not None and data is not None:
            changes = _field_changes(model, previous, data, names)
            for accessor, child_model, _fk in specs:
                changes += _children_changes(
                    child_model, previous_children.get(accessor, {}), current_children.get(accessor, {}), names
                )
        entries.append(HistoryEntry(version=version, changes=changes))
        if data is not None:
            previous, previous_children = data, current_children
    entries.reverse()
    return entries


def _children_changes(child_model, old_rows, new_rows, names):
    label = str(capfirst(child_model._meta.verbose_name))
    changes = []
    for key, (child, _data) in new_rows.items():
        if key not in old_rows:
            changes.append(Change(label=label, new=child.object_repr, kind="added"))
    for key, (child, _data) in old_rows.items():
        if key not in new_rows:
            changes.append(Change(label=label, old=child.object_repr, kind="removed"))
    for key, (child, data) in new_rows.items():
        if key in old_rows:
            for change in _field_changes(child_model, old_rows[key][1], data, names):
                # Translators: in a record's history, a field of one of its rows, e.g. Issue “Remittances…”: Order.
                change.label = _("%(kind)s “%(row)s”: %(field)s") % {
                    "kind": label,
                    "row": child.object_repr,
                    "field": change.label,
                }
                changes.append(change)
    return changes


# Restore -----------------------------------------------------------------------------------------
#
# Restoring a version writes that record as the version has it, and the rows edited with it
# (EDITED_WITH) as the same revision has them, and nothing else: a revision may hold a whole
# programme load, whose other records keep their own history. Where the record's registration
# follows a relation (a session's issues and participants, a forum's rooms), the revision holds all
# of those rows: rows of the record added since are deleted, and rows deleted since come back.
# Elsewhere (a forum's roundtables, a roundtable's sessions) only rows still there are restored.
