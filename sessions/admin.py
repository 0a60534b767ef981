import dataclasses
import json
import re
from contextlib import nullcontext
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.contrib.admin.exceptions import NotRegistered
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Prefetch, Q, Value
from django.db.models.functions import Coalesce
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from reversion.admin import VersionAdmin
from reversion.models import Version

from core.edit_forms import EditTokenForm
from core.text import MarkdownWarningAdminMixin, WholeTextAdminMixin
from core.versions import (
    RestoreRefused,
    edit_conflict,
    edit_token,
    history_entries,
    restore_apply,
    restore_plan,
    row_label,
)
from roundtables.forms import RoomChoiceField, RoundtableChoiceField
from roundtables.models import Forum, Roundtable
from roundtables.selectors import roundtable_ids_editable_by
from sessions.admin_filters import (
    RememberedForumMixin,
    SessionForumFilter,
    SessionPartForumFilter,
    SessionPartRoundtableFilter,
    SessionRoomFilter,
    SessionRoundtableFilter,
)

from .documents import format_and_size
from .forms import (
    DocumentAdminForm,
    DocumentFileForm,
    DocumentFileFormSet,
    IssueAdminForm,
    IssueInlineForm,
    ParticipationAdminForm,
    ParticipationInlineForm,
    PersonParticipationFormSet,
    PointForm,
    RoundtablesChoiceField,
    SessionAdminForm,
    SessionParticipationFormSet,
    SessionsChoiceField,
)
from .models import (
    LANGUAGE_ORDER,
    Document,
    DocumentFile,
    Issue,
    Organisation,
    Participation,
    Person,
    Room,
    Session,
)
from .pdf.tasks import schedule_renders
from .selectors import person_editable_by
from .services import session_move, session_publish, session_unpublish

CODE_PATTERN = re.compile(r"^\s*(\d+)\.(\d+)\s*$")
EDITING_MEDIA = {"js": ["js/admin_reorder.js"], "css": {"all": ["css/admin_editing.css"]}}


def programme_scope(request):
    """None when the user edits the whole programme; else the ids of the roundtables they coordinate."""
    if not hasattr(request, "_programme_scope"):
        request._programme_scope = roundtable_ids_editable_by(request.user)
    return request._programme_scope


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

    plan: object  # core.versions.RestorePlan
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


class ProgrammeAdmin(MarkdownWarningAdminMixin, WholeTextAdminMixin, EditTokenAdminMixin, VersionAdmin):
    """Base of the programme's admin pages: every change is recorded (django-reversion), the history
    page shows what changed between versions, an editor can restore an earlier version, and a save
    never overwrites what someone else saved since the page was opened (the form's edit token).

    Restoring a version writes that record and the rows edited with it as its revision has them
    (core.versions.restore_plan), never the other records of that revision, and only when the
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


class ForumTimeZoneMixin:
    """Show and read times in the record's forum's time zone, on its change, restore and history pages."""

    def forum_of(self, obj):
        return obj.roundtable.forum

    def forum_for_new(self, request):
        """The forum of a record being added, from the roundtable chosen (or given in the URL)."""
        roundtable_id = request.POST.get("roundtable") or request.GET.get("roundtable")
        if roundtable_id and str(roundtable_id).isdigit():
            roundtable = Roundtable.objects.select_related("forum").filter(pk=roundtable_id).first()
            if roundtable:
                return roundtable.forum
        return None

    def forum_time_zone(self, request, object_id):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        forum = self.forum_of(obj) if obj is not None else self.forum_for_new(request)
        request._admin_forum = forum  # for the choices of rooms (SessionAdmin)
        return forum.time_zone if forum is not None else timezone.get_current_timezone_name()

    @staticmethod
    def _rendered(response):
        # A template response renders after the view returns: render it while the zone is active.
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
        return response

    def time_zone_note(self, forum):
        """The one sentence of the page that names the time zone of its times (Django's warning under each
        time field is hidden: static/css/admin_fit.css)."""
        if forum is None:
            return gettext("Times are read in the time zone of the forum of the roundtable you choose.")
        return gettext("Times on this page are in %(zone)s, the time zone of %(forum)s.") % {
            "zone": forum.time_zone,
            "forum": forum.name,
        }

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with timezone.override(self.forum_time_zone(request, object_id)):
            extra_context = {"time_zone_note": self.time_zone_note(request._admin_forum), **(extra_context or {})}
            return self._rendered(super().changeform_view(request, object_id, form_url, extra_context))

    def revision_view(self, request, object_id, version_id, extra_context=None):
        with timezone.override(self.forum_time_zone(request, object_id)):
            return self._rendered(super().revision_view(request, object_id, version_id, extra_context))

    def history_view(self, request, object_id, extra_context=None):
        with timezone.override(self.forum_time_zone(request, object_id)):
            return self._rendered(super().history_view(request, object_id, extra_context))


class RoundtableScopeMixin:
    """The committee changes everything; a coordinator changes only what belongs to their roundtables.

    Everyone with the view permission sees the rest read-only: a change or delete of another
    roundtable's record is refused (403) whatever the URL or the POST, and the choices of roundtable
    or session offered on add and change pages are the user's own.
    """

    roundtable_field = "roundtable"  # the path from the model to its roundtable

    def roundtable_id_of(self, obj):
        *path, last = self.roundtable_field.split("__")
        for name in path:
            obj = getattr(obj, name)
        return getattr(obj, f"{last}_id")

    def can_edit(self, request, obj):
        scope = programme_scope(request)
        return scope is None or self.roundtable_id_of(obj) in scope

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or self.can_edit(request, obj))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or self.can_edit(request, obj))

    def has_add_permission(self, request):
        scope = programme_scope(request)
        return super().has_add_permission(request) and (scope is None or bool(scope))

    def writable(self, request, queryset):
        """The part of ``queryset`` the user may change."""
        scope = programme_scope(request)
        return queryset if scope is None else queryset.filter(**{f"{self.roundtable_field}__in": scope})

    def editable_roundtables(self, request):
        return self.writable_roundtables(request, Roundtable.objects.select_related("forum"))

    @staticmethod
    def writable_roundtables(request, queryset):
        scope = programme_scope(request)
        return queryset if scope is None else queryset.filter(pk__in=scope)


class ParentScopedInlineMixin(WholeTextAdminMixin):
    """An inline's rows can be changed only where the record they belong to can."""

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


class RoomInline(ParentScopedInlineMixin, admin.TabularInline):
    model = Room
    fields = ["name", "capacity", "position"]
    extra = 0


class DocumentListFormSet(BaseInlineFormSet):
    """The documents of a forum or of a roundtable, listed on its page: each is edited on its own page
    (its files, sessions and roundtables), reached from the list."""

    @classmethod
    def get_default_prefix(cls):
        return "documents"  # on a forum's and a roundtable's page alike

    @property
    def documents(self):
        return [getattr(form.instance, "document", form.instance) for form in self.initial_forms]

    @property
    def add_url(self):
        parent = self.instance
        if parent is None or parent.pk is None:
            return ""
        if isinstance(parent, Forum):
            query = {"forum": parent.pk}
        else:
            query = {"forum": parent.forum_id, "roundtables": parent.pk}
        return f"{reverse('admin:programme_sessions_document_add')}?{urlencode(query)}"


class DocumentListInline(admin.TabularInline):
    """A read-only list of documents with links to their pages (see DocumentListFormSet)."""

    formset = DocumentListFormSet
    template = "admin/programme/document_list_inline.html"
    fields = []
    extra = 0
    can_delete = False
    verbose_name = _("document")
    verbose_name_plural = _("documents")

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ForumDocumentInline(DocumentListInline):
    model = Document

    def get_queryset(self, request):
        return document_list_queryset(super().get_queryset(request)).order_by("position", "title", "pk")


class RoundtableDocumentInline(DocumentListInline):
    model = Document.roundtables.through

    def get_queryset(self, request):
        documents = document_list_queryset(Document.objects.all())
        return (
            super()
            .get_queryset(request)
            .prefetch_related(Prefetch("document", queryset=documents))
            .order_by("document__position", "document__title", "pk")
        )


def document_list_queryset(documents):
    """Documents with what the admin lists of them: files and places, fetched at once."""
    return documents.prefetch_related(
        "files",
        Prefetch(
            "sessions", queryset=Session.objects.select_related("roundtable").order_by("roundtable__number", "number")
        ),
        Prefetch("roundtables", queryset=Roundtable.objects.order_by("number")),
    )


class DocumentFileInline(ParentScopedInlineMixin, admin.TabularInline):
    model = DocumentFile
    form = DocumentFileForm
    formset = DocumentFileFormSet
    fields = ["language", "file", "format_and_size"]
    readonly_fields = ["format_and_size"]
    min_num = 0
    max_num = len(Document.Language.values)
    verbose_name = _("file")
    verbose_name_plural = _("files, one per language")

    def get_extra(self, request, obj=None, **kwargs):
        return len(Document.Language.values) if obj is None else 0

    @admin.display(description=_("format and size"))
    def format_and_size(self, file):
        return format_and_size(file) if file.pk else "—"


class IssueInline(ParentScopedInlineMixin, admin.TabularInline):
    """The session's main issues and proposed themes, each with its sub-points."""

    model = Issue
    form = IssueInlineForm
    fields = ["position", "kind", "text", "points"]
    extra = 0
    verbose_name = _("main issue or proposed theme")
    verbose_name_plural = _("main issues and proposed themes, with their sub-points")

    class Media:
        js = EDITING_MEDIA["js"]
        css = EDITING_MEDIA["css"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(parent__isnull=True).prefetch_related("points")

    @admin.display(description=_("Sub-points"))
    def points(self, issue):
        """The sub-points as shown to those who may only view the session (editors get the textarea)."""
        return format_html_join(mark_safe("<br>"), "{}", ((point.text,) for point in issue.points.all())) or "—"


class ParticipationInline(ParentScopedInlineMixin, admin.TabularInline):
    model = Participation
    form = ParticipationInlineForm
    formset = SessionParticipationFormSet
    fields = ["person", "role", "position"]
    autocomplete_fields = ["person"]
    extra = 0
    verbose_name = _("person in a role")
    verbose_name_plural = _("people in roles")

    class Media:
        js = EDITING_MEDIA["js"]
        css = EDITING_MEDIA["css"]


class PointInline(ParentScopedInlineMixin, admin.TabularInline):
    model = Issue
    fk_name = "parent"
    form = PointForm
    fields = ["text", "position"]
    extra = 0
    verbose_name = _("sub-point")
    verbose_name_plural = _("sub-points")

    class Media:
        js = EDITING_MEDIA["js"]
        css = EDITING_MEDIA["css"]


def local_when(session):
    """“Mon 2 Nov 2009, 09:30–11:00” in the forum's time zone, or a dash."""
    if session.starts_at is None:
        return "—"
    zone = session.roundtable.forum.zone
    start = timezone.localtime(session.starts_at, zone)
    end = timezone.localtime(session.ends_at, zone)
    # Translators: a date format of Django's “date” filter (D weekday abbreviated, j day, N month abbreviated,
    # Y year, H:i time; a backslash escapes a literal letter).
    start_text = formats.date_format(start, gettext("D j M Y, H:i"))
    return f"{start_text}–{formats.time_format(end, 'H:i')}"


@admin.register(Session)
class SessionAdmin(RememberedForumMixin, RoundtableScopeMixin, ForumTimeZoneMixin, ProgrammeAdmin):
    form = SessionAdminForm
    list_display = ["code", "title", "forum", "local_start", "room", "status", "reorder"]
    list_display_links = ["code", "title"]
    list_filter = [SessionForumFilter, SessionRoundtableFilter, "status", "kind", "themes", SessionRoomFilter]
    list_select_related = ["roundtable__forum", "room"]
    search_fields = ["title", "slug", "background", "roundtable__title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["themes"]
    fieldsets = [
        (None, {"fields": ["roundtable", "number", "title", "slug", "kind", "status"]}),
        (_("When and where"), {"fields": ["starts_at", "ends_at", "room"]}),
        (_("Content"), {"fields": ["background", "themes"]}),
    ]
    inlines = [IssueInline, ParticipationInline]
    ordering = ["roundtable__forum", "roundtable__number", "number"]
    actions = ["publish", "unpublish"]

    class Media:
        css = EDITING_MEDIA["css"]

    def get_queryset(self, request):
        scope = programme_scope(request)
        if scope is None:
            editable = Value(True)
        elif scope:
            editable = ExpressionWrapper(Q(roundtable__in=scope), output_field=BooleanField())
        else:
            editable = Value(False)
        return super().get_queryset(request).annotate(is_editable=editable)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_move"
        return [
            path("<path:object_id>/move/<str:direction>/", self.admin_site.admin_view(self.move_view), name=name),
            *super().get_urls(),
        ]

    @admin.display(description=_("code"), ordering="number")
    def code(self, session):
        return session.code

    @admin.display(description=_("forum"), ordering="roundtable__forum__starts_on")
    def forum(self, session):
        return session.roundtable.forum.name

    @admin.display(description=_("when (forum time)"), ordering="starts_at")
    def local_start(self, session):
        return local_when(session)

    @admin.display(description=_("order"))
    def reorder(self, session):
        if not getattr(session, "is_editable", False):
            return ""
        buttons = [
            ("up", "↑", gettext("Move session %(code)s up") % {"code": session.code}),
            ("down", "↓", gettext("Move session %(code)s down") % {"code": session.code}),
        ]
        return format_html(
            "{}{}",
            *(
                format_html(
                    '<button type="submit" class="reorder-button" formaction="{}" formnovalidate '
                    'title="{}" aria-label="{}">{}</button>',
                    reverse("admin:programme_sessions_session_move", args=[session.pk, direction]),
                    label,
                    label,
                    arrow,
                )
                for direction, arrow, label in buttons
            ),
        )

    def move_view(self, request, object_id, direction):
        """Swap a session with the one before or after it in its roundtable (a POST from the list)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        session = self.get_object(request, unquote(object_id))
        if session is None:
            raise Http404
        if direction not in {"up", "down"} or not self.has_change_permission(request, session):
            raise PermissionDenied
        other = session_move(session=session, direction=direction, user=request.user)
        if other is None:
            message = (
                gettext("Session %(code)s is already the first of its roundtable.")
                if direction == "up"
                else gettext("Session %(code)s is already the last of its roundtable.")
            )
            self.message_user(request, message % {"code": session.code}, messages.WARNING)
        else:
            session.refresh_from_db()
            self.message_user(
                request,
                gettext("Session “%(title)s” is now %(code)s, and “%(other)s” is %(other_code)s.")
                % {"title": session.title, "code": session.code, "other": other.title, "other_code": other.code},
                messages.SUCCESS,
            )
        back = request.headers.get("referer", "")
        if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            back = reverse("admin:programme_sessions_session_changelist")
        return HttpResponseRedirect(back)

    @admin.action(description=_("Publish the selected sessions"), permissions=["change"])
    def publish(self, request, queryset):
        self._set_status(request, queryset, session_publish)

    @admin.action(description=_("Take the selected sessions back to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, session_unpublish)

    def _set_status(self, request, queryset, service):
        writable = self.writable(request, queryset)
        skipped = queryset.count() - writable.count()
        changed, unchanged = service(sessions=list(writable), user=request.user)
        if changed:
            schedule_renders()  # the booklets and handouts that show (or showed) them
        codes = ", ".join(session.code for session in changed)
        if service is session_publish:
            done = ngettext(
                "Published %(count)d session: %(codes)s.", "Published %(count)d sessions: %(codes)s.", len(changed)
            )
            same = ngettext(
                "%(count)d session was published already: %(codes)s.",
                "%(count)d sessions were published already: %(codes)s.",
                len(unchanged),
            )
        else:
            done = ngettext(
                "Took %(count)d session back to draft: %(codes)s.",
                "Took %(count)d sessions back to draft: %(codes)s.",
                len(changed),
            )
            same = ngettext(
                "%(count)d session was a draft already: %(codes)s.",
                "%(count)d sessions were drafts already: %(codes)s.",
                len(unchanged),
            )
        if changed:
            self.message_user(request, done % {"count": len(changed), "codes": codes}, messages.SUCCESS)
        if unchanged:
            self.message_user(
                request,
                same % {"count": len(unchanged), "codes": ", ".join(session.code for session in unchanged)},
                messages.INFO,
            )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d session belongs to a roundtable you do not coordinate: it was left as it was.",
                    "%(count)d sessions belong to roundtables you do not coordinate: they were left as they were.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )
        if service is session_publish:
            drafts = sorted(
                {session.roundtable.forum.name for session in changed if not session.roundtable.forum.is_published}
            )
            for name in drafts:
                self.message_user(
                    request,
                    gettext(
                        "The forum “%(forum)s” is still a draft: delegates will see these sessions once it is "
                        "published."
                    )
                    % {"forum": name},
                    messages.WARNING,
                )

    def get_search_results(self, request, queryset, search_term):
        match = CODE_PATTERN.match(search_term)
        if match:
            roundtable_number, number = (int(group) for group in match.groups())
            return queryset.filter(roundtable__number=roundtable_number, number=number), False
        return super().get_search_results(request, queryset, search_term)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "roundtable":
            kwargs["queryset"] = self.editable_roundtables(request)
            kwargs["form_class"] = RoundtableChoiceField
        elif db_field.name == "room":
            rooms = Room.objects.select_related("forum").order_by("-forum__starts_on", "forum__name", "position")
            forum = getattr(request, "_admin_forum", None)
            kwargs["queryset"] = rooms if forum is None else rooms.filter(forum=forum)
            kwargs["form_class"] = RoomChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class SessionPartMixin(RoundtableScopeMixin):
    """Records that belong to a session (issues, roles): editable where their session is."""

    roundtable_field = "session__roundtable"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("session__roundtable__forum")

    @admin.display(description=_("forum"), ordering="session__roundtable__forum__starts_on")
    def forum(self, obj):
        return obj.session.roundtable.forum.name

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = programme_scope(request)
        if db_field.name == "session":
            sessions = Session.objects.all()
            kwargs["queryset"] = sessions if scope is None else sessions.filter(roundtable__in=scope)
        elif db_field.name == "parent":
            issues = Issue.objects.filter(parent__isnull=True)
            kwargs["queryset"] = issues if scope is None else issues.filter(session__roundtable__in=scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Issue)
class IssueAdmin(SessionPartMixin, ProgrammeAdmin):
    form = IssueAdminForm
    list_display = ["issue", "kind", "session", "forum", "position"]
    # Each issue, then its sub-points, in the session's order.
    ordering = [
        "session",
        Coalesce("parent__position", "position").asc(),
        Coalesce("parent_id", "id").asc(),
        F("parent_id").asc(nulls_first=True),
        "position",
        "id",
    ]
    list_filter = ["kind", SessionPartForumFilter, SessionPartRoundtableFilter]
    list_select_related = ["session__roundtable__forum"]
    search_fields = ["text", "session__title"]
    raw_id_fields = ["session", "parent"]
    fields = ["session", "parent", "kind", "text", "position"]
    inlines = [PointInline]

    def get_inlines(self, request, obj):
        return [PointInline] if obj is None or obj.parent_id is None else []

    @admin.display(description=_("issue"))
    def issue(self, issue):
        """The issue's text; a sub-point's is led by “↳ ”, under its issue."""
        return f"↳ {issue}" if issue.parent_id else str(issue)


@admin.register(Participation)
class ParticipationAdmin(SessionPartMixin, ProgrammeAdmin):
    form = ParticipationAdminForm
    list_display = ["person", "role", "session", "forum"]
    list_filter = ["role", SessionPartForumFilter, SessionPartRoundtableFilter]
    list_select_related = ["person", "session__roundtable__forum"]
    search_fields = ["person__name", "session__title"]
    autocomplete_fields = ["person"]
    raw_id_fields = ["session"]


class PersonParticipationInline(ParentScopedInlineMixin, admin.TabularInline):
    model = Participation
    formset = PersonParticipationFormSet
    fields = ["session", "role", "position"]
    autocomplete_fields = ["session"]  # found by its code (1.2) or words of its title: SessionAdmin.get_search_results
    extra = 0
    verbose_name = _("role in a session")
    verbose_name_plural = _("roles in sessions")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session":
            scope = programme_scope(request)
            sessions = Session.objects.all()
            kwargs["queryset"] = sessions if scope is None else sessions.filter(roundtable__in=scope)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Person)
class PersonAdmin(ProgrammeAdmin):
    list_display = ["name", "organisation", "position", "country", "role_count"]
    list_filter = ["organisation__kind", "participations__role"]
    list_select_related = ["organisation"]
    search_fields = ["name", "organisation__name", "country"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["organisation"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "organisation", "position", "country"]}),
        (_("Profile"), {"fields": ["biography", "email"]}),
    ]
    inlines = [PersonParticipationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(role_total=Count("participations", distinct=True))

    @admin.display(description=_("roles"), ordering="role_total")
    def role_count(self, person):
        return person.role_total

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or person_editable_by(request.user, obj))


@admin.register(Organisation)
class OrganisationAdmin(ProgrammeAdmin):
    list_display = ["name", "kind", "country", "people_count"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_filter = ["kind"]
    search_fields = ["name", "country"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(people_total=Count("people"))

    @admin.display(description=_("people"), ordering="people_total")
    def people_count(self, organisation):
        return organisation.people_total


@admin.register(Room)
class RoomAdmin(ProgrammeAdmin):
    list_display = ["name", "forum", "capacity", "position"]
    list_editable = ["capacity", "position"]
    list_filter = ["forum"]
    list_select_related = ["forum"]
    search_fields = ["name", "forum__name"]


@admin.register(Document)
class DocumentAdmin(RoundtableScopeMixin, ProgrammeAdmin):
    """A document with its files (one per language) and the sessions and roundtables it is a paper of.

    The committee attaches a document to any sessions and roundtables of its forum. A coordinator
    attaches documents to the sessions of their roundtables only, and changes a document only while
    every session and roundtable it is attached to is theirs (others' documents are read-only).
    """

    form = DocumentAdminForm
    list_display = ["title", "kind", "forum", "languages", "circulated_on", "attached_to"]
    list_filter = ["forum", "kind", "files__language"]
    list_select_related = ["forum"]
    search_fields = ["title", "description", "forum__name"]
    date_hierarchy = "circulated_on"
    filter_horizontal = ["sessions", "roundtables"]
    fieldsets = [
        (None, {"fields": ["forum", "title", "kind", "description", "circulated_on", "position"]}),
        (
            _("Attached to"),
            {
                "fields": ["sessions", "roundtables"],
                "description": _(
                    "A document of a roundtable shows on the pages and handouts of all its sessions too. "
                    "Attached to none, it is a document of the whole forum."
                ),
            },
        ),
    ]
    inlines = [DocumentFileInline]

    def get_queryset(self, request):
        return document_list_queryset(super().get_queryset(request))

    # Who may change what --------------------------------------------------------------------

    def can_edit(self, request, obj):
        scope = programme_scope(request)
        if scope is None:
            return True
        roundtables = {session.roundtable_id for session in obj.sessions.all()}
        return bool(roundtables) and roundtables <= scope and {item.pk for item in obj.roundtables.all()} <= scope

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if programme_scope(request) is not None:
            fields.append("roundtables")  # a coordinator attaches documents to their sessions only
        return fields

    def get_actions(self, request):
        actions = super().get_actions(request)
        if programme_scope(request) is not None:
            actions.pop("delete_selected", None)  # a coordinator deletes one of their documents at a time
        return actions

    # The forum's choices ----------------------------------------------------------------------

    def _forum_id(self, request):
        """The document's forum: the one of the document shown, else the one chosen or given in the URL."""
        if not hasattr(request, "_document_forum_id"):
            forum_id = request.POST.get("forum") or request.GET.get("forum") or ""
            request._document_forum_id = int(forum_id) if str(forum_id).isdigit() else None
        return request._document_forum_id

    def get_object(self, request, object_id, from_field=None):
        document = super().get_object(request, object_id, from_field)
        if document is not None and request.method != "POST":
            request._document_forum_id = document.forum_id
        return document

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        return type(form.__name__, (form,), {"editable_roundtables": programme_scope(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "forum":
            scope = programme_scope(request)
            forums = Forum.objects.order_by("-starts_on", "name")
            kwargs["queryset"] = forums if scope is None else forums.filter(roundtables__in=scope).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        forum_id = self._forum_id(request)
        scope = programme_scope(request)
        if db_field.name == "sessions":
            sessions = Session.objects.select_related("roundtable__forum").order_by(
                "-roundtable__forum__starts_on", "roundtable__number", "number"
            )
            if scope is not None:
                sessions = sessions.filter(roundtable__in=scope)
            kwargs["queryset"] = sessions if forum_id is None else sessions.filter(roundtable__forum_id=forum_id)
            kwargs["form_class"] = type("SessionsChoice", (SessionsChoiceField,), {"show_forum": forum_id is None})
        elif db_field.name == "roundtables":
            roundtables = Roundtable.objects.select_related("forum").order_by("-forum__starts_on", "number")
            kwargs["queryset"] = roundtables if forum_id is None else roundtables.filter(forum_id=forum_id)
            kwargs["form_class"] = type(
                "RoundtablesChoice", (RoundtablesChoiceField,), {"show_forum": forum_id is None}
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if request.method == "POST":
            for inline in context.get("inline_admin_formsets", []):
                for form in inline.formset.forms:
                    if isinstance(form, DocumentFileForm):
                        form.note_file_not_kept()
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The list -------------------------------------------------------------------------------

    @admin.display(description=_("languages"))
    def languages(self, document):
        files = sorted(document.files.all(), key=lambda file: LANGUAGE_ORDER.index(file.language))
        return ", ".join(file.language.upper() for file in files) or "—"

    @admin.display(description=_("attached to"))
    def attached_to(self, document):
        places = [session.code for session in document.sessions.all()]
        places += [str(roundtable) for roundtable in document.roundtables.all()]
        return "; ".join(places) or gettext("the whole forum")
