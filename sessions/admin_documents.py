"""The committee's admin for documents and their files (one per language), and the document lists
of forums and roundtables."""

from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Prefetch
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin import ParentScopedInlineMixin, ProgrammeAdmin
from roundtables.admin_mixins import RoundtableScopeMixin, programme_scope
from roundtables.models import Forum, Roundtable
from sessions.documents import format_and_size
from sessions.forms import (
    DocumentAdminForm,
    DocumentFileForm,
    DocumentFileFormSet,
    RoundtablesChoiceField,
    SessionsChoiceField,
)
from sessions.models import (
    LANGUAGE_ORDER,
    Document,
    DocumentFile,
    Session,
)


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
