import reversion
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, URLField
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext, override
from django.utils.translation import gettext_lazy as _

from core.admin import ParentScopedInlineMixin, ProgrammeAdmin
from core.translated import SOURCE_LANGUAGE
from roundtables.admin_mixins import ForumTimeZoneMixin
from roundtables.models import NAMING_FIELDS, Forum, Roundtable, Theme
from roundtables.services import forum_publish, forum_unpublish, roundtable_coordinators_grant_access
from sessions.admin import RoomInline
from sessions.admin_actions import download_booklets, download_roundtable_handouts
from sessions.admin_documents import ForumDocumentInline, RoundtableDocumentInline
from sessions.forms import RoundtableSessionFormSet
from sessions.listings import forum_session_counts
from sessions.models import Issue, Session
from sessions.pdf.tasks import schedule_renders
from sessions.selectors import forums_for_dashboard

from . import accounts  # noqa: F401 (the user admin for the committee)
from .admin_spreadsheets import ForumSpreadsheetAdminMixin
from .admin_translations import ForumTranslationsAdminMixin
from .forms import ForumAdminForm, ForumDuplicateForm, RoundtableAdminForm
from .services import forum_duplicate, forum_save, forum_time_zone_comment
from .translation_progress import translation_progress


class RoundtableInline(ParentScopedInlineMixin, admin.TabularInline):
    model = Roundtable
    fields = ["number", "title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True
    extra = 0


@admin.register(Forum)
class ForumAdmin(ForumTranslationsAdminMixin, ForumSpreadsheetAdminMixin, ForumTimeZoneMixin, ProgrammeAdmin):
    form = ForumAdminForm
    list_display = ["name", "city", "starts_on", "ends_on", "status", "roundtable_count"]
    list_filter = ["status", "country"]
    search_fields = ["name", "city", "country", "venue"]
    formfield_overrides = {URLField: {"assume_scheme": "https"}}  # a map link typed without https://
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "starts_on"
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "description"]}),
        (
            _("Where and when"),
            {
                "fields": [
                    "city",
                    "country",
                    "venue",
                    "venue_address",
                    "venue_map_url",
                    "starts_on",
                    "ends_on",
                    "time_zone",
                ]
            },
        ),
        (
            _("What this forum calls its roundtables and sessions"),
            {
                "fields": list(NAMING_FIELDS),
                "classes": ["collapse"],  # most forums keep Roundtable and Session
                "description": _(
                    "As delegates read it on this forum's pages, PDFs and calendars, e.g. Theme, Thème, Tema and "
                    "Themes, Thèmes, Temas. Leave all empty for Roundtable and Session."
                ),
            },
        ),
    ]
    inlines = [RoundtableInline, RoomInline, ForumDocumentInline]
    actions = ["publish", "unpublish", "duplicate", download_booklets]

    def forum_of(self, obj):
        return obj

    def forum_for_new(self, request):
        return None

    def time_zone_note(self, forum):
        if forum is None:
            return gettext("Session times are entered and shown in the time zone you choose below.")
        return gettext("Session times of this forum are in %(zone)s.") % {"zone": forum.time_zone}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(roundtable_total=Count("roundtables"))

    def save_model(self, request, obj, form, change):
        with override(SOURCE_LANGUAGE):  # the texts' original columns keep English (core.admin_languages)
            previous, moved = forum_save(forum=obj, user=request.user)
        if previous and previous != obj.time_zone:
            note = forum_time_zone_comment(previous=previous, forum=obj, count=len(moved))
            request._forum_time_zone_note = note
            self.message_user(request, note, messages.INFO)

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        note = getattr(request, "_forum_time_zone_note", "")
        if note and reversion.is_active():
            reversion.set_comment(f"{entry.get_change_message()} {note}")
        return entry

    def get_urls(self):
        prefix = f"{self.opts.app_label}_{self.opts.model_name}"
        return [
            path("dashboard/", self.admin_site.admin_view(self.dashboard_view), name=f"{prefix}_dashboard"),
            path(
                "<path:object_id>/duplicate/",
                self.admin_site.admin_view(self.duplicate_view),
                name=f"{prefix}_duplicate",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("roundtables"), ordering="roundtable_total")
    def roundtable_count(self, forum):
        return forum.roundtable_total

    @admin.action(description=_("Publish the selected forums"), permissions=["change"])
    def publish(self, request, queryset):
        for forum in queryset:
            if not forum_publish(forum=forum, user=request.user):
                self.message_user(request, gettext("“%(forum)s” was published already.") % {"forum": forum})
                continue
            schedule_renders()  # its booklets, for the worker to render before delegates ask
            counts = forum_session_counts(forum=forum)
            message = ngettext(
                "Published “%(forum)s”: delegates now see it with its %(count)d published session.",
                "Published “%(forum)s”: delegates now see it with its %(count)d published sessions.",
                counts["published"],
            ) % {"forum": forum, "count": counts["published"]}
            if counts["draft"]:
                message += " " + ngettext(
                    "%(count)d session is still a draft and stays hidden.",
                    "%(count)d sessions are still drafts and stay hidden.",
                    counts["draft"],
                ) % {"count": counts["draft"]}
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Take the selected forums back to draft"), permissions=["change"])
    def unpublish(self, request, queryset):
        for forum in queryset:
            if forum_unpublish(forum=forum, user=request.user):
                message = gettext(
                    "“%(forum)s” is a draft again: hidden from the public; staff can still preview it."
                ) % {"forum": forum}
                self.message_user(request, message, messages.SUCCESS)
            else:
                self.message_user(request, gettext("“%(forum)s” was a draft already.") % {"forum": forum})

    @admin.action(description=_("Duplicate as the next edition…"), permissions=["add"])
    def duplicate(self, request, queryset):
        forums = list(queryset[:2])
        if len(forums) != 1:
            self.message_user(request, gettext("Choose exactly one forum to duplicate."), messages.WARNING)
            return None
        return redirect("admin:roundtables_forum_duplicate", forums[0].pk)

    def duplicate_view(self, request, object_id):
        """A small form for the next edition's name, slug and first day; then the copy."""
        forum = self.get_object(request, unquote(object_id))
        if forum is None:
            raise Http404
        if not self.has_add_permission(request) or not self.has_view_permission(request, forum):
            raise PermissionDenied
        form = ForumDuplicateForm(request.POST if request.method == "POST" else None, forum=forum)
        if form.is_valid():
            copy = forum_duplicate(forum=forum, user=request.user, **form.cleaned_data)
            self.message_user(request, self._duplicate_message(forum, copy), messages.SUCCESS)
            return redirect("admin:roundtables_forum_change", copy.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Duplicate “%(forum)s” as the next edition") % {"forum": forum},
            "subtitle": None,
            "opts": self.opts,
            "original": forum,
            "form": form,
            "counts": {
                "roundtables": forum.roundtables.count(),
                "sessions": Session.objects.in_forum(forum).count(),
                "rooms": forum.rooms.count(),
            },
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/programme/forum_duplicate.html", context)

    @staticmethod
    def _duplicate_message(forum, copy):
        return gettext(
            "Created the draft forum “%(copy)s” from “%(forum)s”: %(roundtables)d roundtables, %(sessions)d "
            "sessions (drafts), %(issues)d issues and sub-points, %(rooms)d rooms. Check the new dates and times."
        ) % {
            "copy": copy,
            "forum": forum,
            "roundtables": copy.roundtables.count(),
            "sessions": Session.objects.in_forum(copy).count(),
            "issues": Issue.objects.filter(session__roundtable__forum=copy).count(),
            "rooms": copy.rooms.count(),
        }

    def dashboard_view(self, request):
        """The committee's to-do list: per forum, what its programme still misses, with links to fix it."""
        if not (self.has_view_permission(request) and request.user.has_perm("programme_sessions.view_session")):
            raise PermissionDenied
        forum_id = request.GET.get("forum", "")
        forum = get_object_or_404(Forum, pk=forum_id) if forum_id.isdigit() else None
        todo = forums_for_dashboard(forum=forum)
        for item, progress in zip(todo, translation_progress(item.forum for item in todo), strict=True):
            item.translation = progress  # how much reads in French and Spanish, and links to what does not
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Committee dashboard: what is still missing"),
            "subtitle": None,
            "opts": self.opts,
            "todo": todo,
            "chosen_forum": forum,
            "all_forums": Forum.objects.order_by("-starts_on"),
            "can_change_sessions": request.user.has_perm("programme_sessions.change_session"),
            "session_changelist": reverse("admin:programme_sessions_session_changelist"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/programme/dashboard.html", context)


class SessionInline(ParentScopedInlineMixin, admin.TabularInline):
    model = Session
    formset = RoundtableSessionFormSet
    fields = ["number", "title", "slug", "starts_at", "ends_at", "room", "status"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "room" and getattr(request, "_roundtable_forum_id", None):
            kwargs["queryset"] = db_field.related_model.objects.filter(forum_id=request._roundtable_forum_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Roundtable)
class RoundtableAdmin(ForumTimeZoneMixin, ProgrammeAdmin):
    form = RoundtableAdminForm
    list_display = ["__str__", "forum", "number", "session_count"]
    list_display_links = ["__str__"]
    list_editable = ["number"]
    list_filter = ["forum"]
    list_select_related = ["forum"]
    search_fields = ["title", "background", "forum__name"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["forum", "number", "title", "slug", "background", "coordinators"]
    filter_horizontal = ["coordinators"]
    inlines = [SessionInline, RoundtableDocumentInline]
    actions = [download_roundtable_handouts]

    def forum_of(self, obj):
        return obj.forum

    def forum_for_new(self, request):
        forum_id = request.POST.get("forum") or request.GET.get("forum")
        if forum_id and str(forum_id).isdigit():
            return Forum.objects.filter(pk=forum_id).first()
        return None

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="session_total")
    def session_count(self, roundtable):
        return roundtable.session_total

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        roundtable = self.get_object(request, unquote(object_id)) if object_id else None
        request._roundtable_forum_id = roundtable.forum_id if roundtable else None
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        added = roundtable_coordinators_grant_access(roundtable=form.instance)
        if added:
            names = ", ".join(user.get_full_name() or user.get_username() for user in added)
            self.message_user(
                request,
                gettext("Added %(names)s to the “Roundtable coordinators” group.") % {"names": names},
                messages.INFO,
            )


@admin.register(Theme)
class ThemeAdmin(ProgrammeAdmin):
    list_display = ["name", "slug", "session_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="session_total")
    def session_count(self, theme):
        return theme.session_total
