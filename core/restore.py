"""Restoring a version of a programme record: the rows it writes (the record and the rows edited with
it, ``core.versions.EDITED_WITH``), what stops it (rows in use, unique clashes, deleted references),
and applying it in one transaction. The admin checks each row against the editor's rights
(``core.admin.ProgrammeAdmin``) before ``restore_apply``."""

import copy
import dataclasses

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.models import Version
from reversion.revisions import _get_options

from .versions import EDITED_WITH, _comparable_value, _field_dict, _label, part_label, tracked_fields


class RestoreRefused(Exception):
    """A version that cannot be restored; the message tells the editor why. Nothing has been written."""


@dataclasses.dataclass
class RestoreRow:
    instance: models.Model  # the row as the version has it, ready to save
    current: models.Model | None  # the row as it is now; None when it was deleted since
    changed: list  # the fields whose values the restore changes
    m2m: dict  # many-to-many field name -> ids, restored with the record itself only
    label: str  # how the editor knows the row, e.g. Issue “Remittances…”
    parent_field: models.ForeignKey | None = None  # for a row edited with the record: its link to it

    @property
    def writes(self):
        return self.current is None or bool(self.changed)


@dataclasses.dataclass
class RestorePlan:
    version: Version
    record: RestoreRow
    rows: list  # RestoreRow of the rows edited with the record
    deletions: list  # rows of the record that the version does not have: deleted by the restore

    @property
    def model(self):
        return self.version._model

    def writes(self):
        """The rows the restore saves, the record first."""
        return [row for row in [self.record, *self.rows] if row.writes]

    def summary(self):
        """What the restore writes, one line per row, for the editor to check before saving."""
        lines = []
        for row in self.writes():
            if row.current is None:
                lines.append(_("%(row)s comes back.") % {"row": row.label})
            else:
                fields = ", ".join(part_label(type(row.instance), name) for name in row.changed)
                lines.append(_("%(row)s: %(fields)s as in this version.") % {"row": row.label, "fields": fields})
        for row in self.deletions:
            lines.append(_("%(row)s, added since, is deleted.") % {"row": row_label(row)})
        return lines

    def changed_parts(self):
        """Names of the record's fields and groups of rows that the restore changes."""
        parts = [part_label(self.model, name) for name in self.record.changed]
        accessors = {row.parent_field.remote_field.get_accessor_name() for row in self.rows if row.writes}
        accessors |= {
            field.remote_field.get_accessor_name()
            for field in (_parent_field(self.model, type(row)) for row in self.deletions)
            if field is not None
        }
        for accessor in EDITED_WITH.get(_label(self.model), []):
            if accessor in accessors:
                parts.append(part_label(self.model, accessor))
        return parts


def row_label(obj, text=None):
    """How the editor knows a record in a message: its kind and its name."""
    # Translators: a record named in a message, e.g. Issue “Remittances…”.
    return _("%(kind)s “%(row)s”") % {"kind": capfirst(obj._meta.verbose_name), "row": text or str(obj)}


def _parent_field(model, child_model):
    for accessor in EDITED_WITH.get(_label(model), []):
        relation = model._meta.get_field(accessor)
        if relation.related_model is child_model:
            return relation.field
    return None


def _restore_row(model, pk, data, current, *, with_m2m, repr_text, parent_field=None):
    instance = copy.copy(current) if current is not None else model(pk=pk)
    changed, m2m = [], {}
    for field in tracked_fields(model):
        if field.many_to_many:
            if with_m2m and field.attname in data:
                wanted = sorted(data[field.attname] or [])
                now = sorted(getattr(current, field.name).values_list("pk", flat=True)) if current else []
                m2m[field.name] = wanted
                if wanted != now:
                    changed.append(field.name)
            continue
        if field.attname not in data:
            continue
        value = data[field.attname]
        if current is None or _comparable_value(value) != _comparable_value(field.value_from_object(current)):
            changed.append(field.name)
        setattr(instance, field.attname, value)
    label = row_label(instance, repr_text if current is None else str(current))
    return RestoreRow(
        instance=instance, current=current, changed=changed, m2m=m2m, label=label, parent_field=parent_field
    )


def restore_plan(version):
    """What restoring ``version`` writes: its record and the rows edited with it, as its revision has them.

    Raises RestoreRefused when the version cannot be read or refers to records deleted since.
    """
    model = version._model
    data = _field_dict(version)
    if data is None:
        raise RestoreRefused(_("This version can no longer be read: it was saved in an older form of the record."))
    pk = model._meta.pk.to_python(version.object_id)
    current = model._base_manager.filter(pk=pk).first()
    record = _restore_row(model, pk, data, current, with_m2m=True, repr_text=version.object_repr)
    rows, deletions = [], []
    followed = set(_get_options(model).follow)
    for accessor in EDITED_WITH.get(_label(model), []):
        relation = model._meta.get_field(accessor)
        child_model, parent_field = relation.related_model, relation.field
        wanted = {}
        candidates = Version.objects.filter(
            revision_id=version.revision_id, content_type=ContentType.objects.get_for_model(child_model)
        ).order_by("pk")
        for candidate in candidates:
            child_data = _field_dict(candidate)
            if child_data is not None and str(child_data.get(parent_field.attname)) == str(pk):
                wanted[child_model._meta.pk.to_python(candidate.object_id)] = (candidate, child_data)
        complete = accessor in followed
        existing = child_model._base_manager.in_bulk(list(wanted))
        for child_pk, (candidate, child_data) in wanted.items():
            child_now = existing.get(child_pk)
            if child_now is None and not complete:
                continue  # deleted since: it comes back from its own history, not with this record
            rows.append(
                _restore_row(
                    child_model,
                    child_pk,
                    child_data,
                    child_now,
                    with_m2m=False,
                    repr_text=candidate.object_repr,
                    parent_field=parent_field,
                )
            )
        if complete and current is not None:
            added = child_model._base_manager.filter(**{parent_field.attname: pk}).exclude(pk__in=list(wanted))
            deletions += list(added.order_by("pk"))
    plan = RestorePlan(version=version, record=record, rows=rows, deletions=deletions)
    missing = _missing_references(plan)
    if missing:
        raise RestoreRefused(
            _("This version cannot be restored: it refers to records deleted since: %(records)s.")
            % {"records": ", ".join(missing)}
        )
    return plan


def _missing_references(plan):
    """Labels of the records that the rows to write refer to but that no longer exist."""
    planned = {(type(row.instance), row.instance.pk) for row in [plan.record, *plan.rows]}
    wanted = {}
    for row in plan.writes():
        for field in tracked_fields(type(row.instance)):
            if not field.is_relation:
                continue
            values = row.m2m.get(field.name, []) if field.many_to_many else [getattr(row.instance, field.attname)]
            for value in values:
                if value is not None and (field.related_model, value) not in planned:
                    wanted.setdefault(field.related_model, set()).add(value)
    missing = []
    for model, pks in wanted.items():
        found = set(model._base_manager.filter(pk__in=pks).values_list("pk", flat=True))
        for pk in sorted(pks - found, key=str):
            last = Version.objects.get_for_object_reference(model, pk).first()
            missing.append(row_label(model(pk=pk), last.object_repr if last else f"#{pk}"))
    return missing


def restore_apply(plan):
    """Write ``plan`` in one transaction: the deletions, then the rows that change.

    Raises RestoreRefused, and writes nothing, when a row cannot be deleted (other records use it)
    or cannot be saved (it would clash with a record as it is now).
    """
    with transaction.atomic():
        by_model = {}
        for row in plan.deletions:
            by_model.setdefault(type(row), []).append(row.pk)
        for model, pks in by_model.items():
            try:
                model._base_manager.filter(pk__in=pks).delete()
            except (models.ProtectedError, models.RestrictedError) as error:
                users = getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", [])
                users = ", ".join(sorted({row_label(obj) for obj in users}))
                raise RestoreRefused(
                    _(
                        "This version cannot be restored: it would delete rows added since that other records "
                        "use (%(records)s)."
                    )
                    % {"records": users}
                ) from error
        pending = plan.writes()
        while pending:
            clashes = []
            for row in pending:
                try:
                    with transaction.atomic():
                        row.instance.save(force_insert=row.current is None)
                        for name, pks in row.m2m.items():
                            getattr(row.instance, name).set(pks)
                except IntegrityError:
                    clashes.append(row)
            if len(clashes) == len(pending):
                raise RestoreRefused(
                    _(
                        "This version cannot be restored: %(records)s would clash with records as they are now "
                        "(the same number, name or role twice)."
                    )
                    % {"records": ", ".join(row.label for row in clashes)}
                )
            pending = clashes
