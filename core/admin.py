"""The admin base classes every programme admin shares: edits that cannot overwrite someone else's
(edit tokens), history and restore limited to what the editor may change (core.versions), Markdown
warnings, and inlines editable only where their parent record is."""

import dataclasses
import json
from contextlib import nullcontext

from django.contrib import messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext
from reversion.admin import VersionAdmin
from reversion.models import Version

from core.admin_languages import LanguageColumnsAdminMixin, LanguageColumnsInlineMixin
from core.edit_forms import EditTokenForm
from core.restore import RestoreRefused, restore_apply, restore_plan, row_label
from core.text import MarkdownWarningAdminMixin, WholeTextAdminMixin
from core.versions import edit_conflict, edit_token, history_entries


class EditTokenAdminMixin:
    """Puts the form's edit token (see core.versions) on change pages the user may save, and only there."""

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, {**options, "fields": [field for field in options["fields"] if field != "edit_token"]})
            for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        name, options = fieldsets[0]
        return [(name, {**options, "fields": [*options["fields"], "edit_token"]}), *fieldsets[1:]]


class RestoreTokenFormMixin:
    """The form of a restore page.

    The page shows the record as the version has it, inside a transaction that is then rolled back.
    The form carries the edit token of the record as it is outside that transaction, which the restore
    view checks before writing anything; inside it, the form's own check compares the restored record
    with a token of that same state, so the version's differences are not taken for someone's edits.
    """

    token_outside = ""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self._set_token(edit_token(self.instance))
        else:
            self.initial["edit_token"] = self.token_outside

    def _set_token(self, token):
        data = self.data.copy()
        data[self.add_prefix("edit_token")] = token
        self.data = data

    def full_clean(self):
        super().full_clean()
        if self.is_bound:
            self._set_token(self.token_outside)  # shown again with errors: still the token of the record outside


@dataclasses.dataclass
class _Restoring:
    """A restore under way in this request (see ProgrammeAdmin.revision_view)."""

    plan: object  # core.restore.RestorePlan
    token: str  # the edit token of the record as it was before the restore ("" when recovering)
    recover: bool

    def comment(self):
        when = formats.date_format(timezone.localtime(self.plan.version.revision.date_created), "DATETIME_FORMAT")
        parts = ", ".join(self.plan.changed_parts())
        if self.recover:
            return gettext("Recovered the version saved on %(when)s.") % {"when": when}
        if not parts:
            return gettext("Restored the version saved on %(when)s (the same as the record was).") % {"when": when}
        return gettext("Restored the version saved on %(when)s: %(parts)s.") % {"when": when, "parts": parts}


class _RestoreStopped(Exception):
    def __init__(self, message, url):
        super().__init__(message)
        self.url = url


class _RestoreRollback(Exception):
    def __init__(self, response):
        super().__init__()
        self.response = response


class ProgrammeAdmin(
    MarkdownWarningAdminMixin, WholeTextAdminMixin, EditTokenAdminMixin, LanguageColumnsAdminMixin, VersionAdmin
):
    """Base of the programme's admin pages: every change is recorded (django-reversion), the history
    page shows what changed between versions, an editor can restore an earlier version, and a save
    never overwrites what someone else saved since the page was opened (the form's edit token).
    Translated texts show in English, French and Spanish side by side (core.admin_languages).

    Restoring a version writes that record and the rows edited with it as its revision has them
    (core.restore.restore_plan), never the other records of that revision, and only when the
    editor may change every row it writes; it goes through the same edit-token check as a save.
    """

    form = EditTokenForm
    object_history_template = "admin/programme/object_history.html"
    restore_form_template = "admin/programme/restore_form.html"
    history_latest_first = True

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        context = {"history_entries": history_entries(self.model, unquote(object_id)) if obj else []}
        context.update(extra_context or {})
        return super().history_view(request, object_id, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        """A version of this record, shown in its change form; saving the form restores it."""
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        version = get_object_or_404(
            Version, pk=version_id, content_type=ContentType.objects.get_for_model(self.model), object_id=str(obj.pk)
        )
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, obj):
            raise PermissionDenied
        return self._restore_view(request, version, obj, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        """A version of a deleted record of this kind; saving the form brings it back."""
        version = get_object_or_404(Version, pk=version_id, content_type=ContentType.objects.get_for_model(self.model))
        if not self.has_add_permission(request):
            raise PermissionDenied
        pk = self.model._meta.pk.to_python(version.object_id)
        if self.model._base_manager.filter(pk=pk).exists():
            self.message_user(
                request,
                gettext("“%(record)s” has not been deleted: restore one of its versions from its history instead.")
                % {"record": version.object_repr},
                messages.WARNING,
            )
            return HttpResponseRedirect(self._admin_url("history", pk))
        return self._restore_view(request, version, None, extra_context)

    def _admin_url(self, page, *args):
        return reverse(f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_{page}", args=args)

    def _restore_view(self, request, version, current, extra_context):
        posting = request.method == "POST"
        recover = current is None
        pk = self.model._meta.pk.to_python(version.object_id)
        back = self._admin_url("recoverlist") if recover else self._admin_url("history", quote(str(pk)))
        try:
            with transaction.atomic(using=version.db):
                if posting and not recover:
                    conflict = edit_conflict(current, request.POST.get("edit_token", ""))
                    if conflict is not None:
                        raise _RestoreStopped(self._restore_conflict_message(conflict), request.path)
                token = "" if recover else edit_token(current)
                plan = restore_plan(version)
                may_write = recover or self.has_change_permission(request, current)
                refused = self._restore_refusals(request, plan, before=True) if may_write else []
                with self.create_revision(request) if posting else nullcontext():
                    restore_apply(plan)
                    if may_write:
                        refused += self._restore_refusals(request, plan, before=False)
                    if refused:
                        raise _RestoreStopped(
                            gettext(
                                "Nothing was restored: this version would change records you may not change: "
                                "%(records)s."
                            )
                            % {"records": ", ".join(refused)},
                            back,
                        )
                    request._programme_restore = _Restoring(plan=plan, token=token, recover=recover)
                    response = self.changeform_view(
                        request, quote(str(pk)), request.path, self._restore_context(version, recover, extra_context)
                    )
                    if posting and response.status_code == 302:
                        self.message_user(request, request._programme_restore.comment(), messages.SUCCESS)
                        return response
                    if response.status_code != 200:
                        raise RestoreRefused(gettext("This version could not be shown."))
                    if hasattr(response, "render") and not response.is_rendered:
                        response.render()  # now, while the database shows the version
                    raise _RestoreRollback(response)
        except RestoreRefused as refusal:
            self.message_user(request, str(refusal), messages.ERROR)
            return HttpResponseRedirect(back)
        except _RestoreStopped as stop:
            self.message_user(request, str(stop), messages.ERROR)
            return HttpResponseRedirect(stop.url)
        except _RestoreRollback as rollback:
            return rollback.response

    def _restore_context(self, version, recover, extra_context):
        when = formats.date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
        values = {"record": version.object_repr, "when": when}
        title = (
            gettext("Recover “%(record)s” as saved on %(when)s")
            if recover
            else gettext("Restore “%(record)s” as saved on %(when)s")
        )
        return {
            "title": title % values,
            "recover": recover,
            "restore_version": version,
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            "show_delete": False,
            **(extra_context or {}),
        }

    def _restore_refusals(self, request, plan, *, before):
        """Labels of the rows of ``plan`` the user may not write: as they are now (``before``) or as restored."""
        refused = []
        for row in plan.writes():
            model = type(row.instance)
            if before:
                if row.current is None:
                    allowed = self._may(request, model, "add")
                else:
                    allowed = self._may(request, model, "change", row.current)
            else:
                allowed = self._may(request, model, "change", model._base_manager.get(pk=row.instance.pk))
            if not allowed:
                refused.append(self._refused_label(row, plan))
        if before:
            refused += [row_label(obj) for obj in plan.deletions if not self._may(request, type(obj), "delete", obj)]
        return refused

    def _may(self, request, model, action, obj=None):
        try:
            model_admin = self.admin_site.get_model_admin(model)
        except NotRegistered:
            return request.user.has_perm(f"{model._meta.app_label}.{action}_{model._meta.model_name}")
        if action == "add":
            return model_admin.has_add_permission(request)
        return getattr(model_admin, f"has_{action}_permission")(request, obj)

    @staticmethod
    def _refused_label(row, plan):
        field = row.parent_field
        if row.current is None or field is None or getattr(row.current, field.attname) == plan.record.instance.pk:
            return row.label
        parent = getattr(row.current, field.name)
        if parent is None:
            return row.label
        return gettext("%(row)s (now in %(kind)s “%(parent)s”)") % {
            "row": row.label,
            "kind": parent._meta.verbose_name,
            "parent": parent,
        }

    def _restore_conflict_message(self, conflict):
        if not conflict.changed:
            return gettext("Nothing was restored: this page is out of date. Open the version again.")
        values = {
            "who": ", ".join(conflict.editors),
            "record": self.opts.verbose_name,
            "fields": ", ".join(conflict.labels()),
        }
        if conflict.changed_at:
            values["when"] = formats.date_format(timezone.localtime(conflict.changed_at), "DATETIME_FORMAT")
            message = gettext(
                "Nothing was restored: %(who)s saved this %(record)s at %(when)s since you opened this version, "
                "and changed: %(fields)s. Open the version again to restore it over their changes."
            )
        else:
            message = gettext(
                "Nothing was restored: %(who)s saved this %(record)s since you opened this version, and changed: "
                "%(fields)s. Open the version again to restore it over their changes."
            )
        return message % values

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        restoring = getattr(request, "_programme_restore", None)
        if restoring is None or restoring.recover or "edit_token" not in form.base_fields:
            return form
        return type(form.__name__, (RestoreTokenFormMixin, form), {"token_outside": restoring.token})

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        response = super().render_change_form(request, context, add, change, form_url, obj)
        restoring = getattr(request, "_programme_restore", None)
        if restoring is not None:
            response.template_name = self.restore_form_template
            response.context_data["restore_summary"] = restoring.plan.summary()
        return response

    def log_change(self, request, obj, message):
        restoring = getattr(request, "_programme_restore", None)
        if restoring is not None:
            edits = LogEntry(change_message=json.dumps(message)).get_change_message() if message else ""
            message = f"{restoring.comment()} {edits}".strip()
        return super().log_change(request, obj, message)


class ParentScopedInlineMixin(WholeTextAdminMixin, LanguageColumnsInlineMixin):
    """An inline's rows can be changed only where the record they belong to can; their translated texts
    show in English, French and Spanish side by side (core.admin_languages)."""

    def _parent_editable(self, request, obj):
        if obj is None or obj.pk is None:
            return True
        parent_admin = self.admin_site._registry.get(type(obj))
        return parent_admin is None or parent_admin.has_change_permission(request, obj)

    def has_add_permission(self, request, obj):
        return super().has_add_permission(request, obj) and self._parent_editable(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_editable(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_editable(request, obj)
