import re

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from roundtables.models import Roundtable

from .forms import IssueInlineForm, PointForm
from .models import Document, Issue, Organisation, Participation, Person, Room, Session

CODE_PATTERN = re.compile(r"^\s*(\d+)\.(\d+)\s*$")


class RoomInline(admin.TabularInline):
    model = Room
    fields = ["name", "capacity", "position"]
    extra = 0


class DocumentInline(admin.TabularInline):
    model = Document
    fields = ["title", "kind", "language", "circulated_on", "file", "position"]
    extra = 0
    show_change_link = True


class IssueInline(admin.TabularInline):
    """The session's main issues and proposed themes, each with its sub-points."""

    model = Issue
    form = IssueInlineForm
    fields = ["position", "kind", "text", "points"]
    extra = 0
    verbose_name = _("main issue or proposed theme")
    verbose_name_plural = _("main issues and proposed themes, with their sub-points")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(parent__isnull=True).prefetch_related("points")


class ParticipationInline(admin.TabularInline):
    model = Participation
    fields = ["person", "role", "position"]
    autocomplete_fields = ["person"]
    extra = 0
    verbose_name = _("person in a role")
    verbose_name_plural = _("people in roles")


class PointInline(admin.TabularInline):
    model = Issue
    fk_name = "parent"
    form = PointForm
    fields = ["text", "position"]
    extra = 0
    verbose_name = _("sub-point")
    verbose_name_plural = _("sub-points")


class ForumTimeZoneMixin:
    """Show and read a session's times in its forum's time zone."""

    def forum_time_zone(self, request, object_id):
        session = self.get_object(request, object_id) if object_id else None
        if session is not None:
            return session.roundtable.forum.time_zone
        roundtable_id = request.POST.get("roundtable") or request.GET.get("roundtable")
        if roundtable_id and str(roundtable_id).isdigit():
            roundtable = Roundtable.objects.select_related("forum").filter(pk=roundtable_id).first()
            if roundtable:
                return roundtable.forum.time_zone
        return timezone.get_current_timezone_name()

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with timezone.override(self.forum_time_zone(request, object_id)):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # Render now: a TemplateResponse would otherwise show its times after the override ends.
            if hasattr(response, "render"):
                response.render()
            return response


@admin.register(Session)
class SessionAdmin(ForumTimeZoneMixin, admin.ModelAdmin):
    list_display = ["code", "title", "roundtable", "local_start", "room", "status"]
    list_display_links = ["code", "title"]
    list_filter = ["roundtable__forum", "roundtable", "status", "themes", "room"]
    list_select_related = ["roundtable__forum", "room"]
    search_fields = ["title", "slug", "background", "roundtable__title"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["room", "themes"]
    fieldsets = [
        (None, {"fields": ["roundtable", "number", "title", "slug", "status"]}),
        (_("When and where"), {"fields": ["starts_at", "ends_at", "room"]}),
        (_("Content"), {"fields": ["background", "themes"]}),
    ]
    inlines = [IssueInline, ParticipationInline]
    ordering = ["roundtable__forum", "roundtable__number", "number"]

    @admin.display(description=_("code"), ordering="number")
    def code(self, session):
        return session.code

    @admin.display(description=_("starts at (forum time)"), ordering="starts_at")
    def local_start(self, session):
        if session.starts_at is None:
            return "—"
        return session.starts_at.astimezone(session.roundtable.forum.zone).strftime("%a %d %b %Y, %H:%M")

    def get_search_results(self, request, queryset, search_term):
        match = CODE_PATTERN.match(search_term)
        if match:
            roundtable_number, number = (int(group) for group in match.groups())
            return queryset.filter(roundtable__number=roundtable_number, number=number), False
        return super().get_search_results(request, queryset, search_term)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "roundtable":
            kwargs["queryset"] = Roundtable.objects.select_related("forum")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Issue)
class IssueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "session", "position"]
    list_filter = ["kind", "session__roundtable__forum", "session__roundtable"]
    list_select_related = ["session__roundtable"]
    search_fields = ["text", "session__title"]
    raw_id_fields = ["session", "parent"]
    fields = ["session", "parent", "kind", "text", "position"]
    inlines = [PointInline]

    def get_inlines(self, request, obj):
        return [PointInline] if obj is None or obj.parent_id is None else []


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["person", "role", "session"]
    list_filter = ["role", "session__roundtable__forum"]
    list_select_related = ["person", "session__roundtable"]
    search_fields = ["person__name", "session__title"]
    autocomplete_fields = ["person"]
    raw_id_fields = ["session"]


class PersonParticipationInline(admin.TabularInline):
    model = Participation
    fields = ["session", "role", "position"]
    raw_id_fields = ["session"]
    extra = 0
    verbose_name = _("role in a session")
    verbose_name_plural = _("roles in sessions")


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
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
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "forum", "capacity", "position"]
    list_editable = ["capacity", "position"]
    list_filter = ["forum"]
    list_select_related = ["forum"]
    search_fields = ["name", "forum__name"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "language", "circulated_on", "attached_to"]
    list_filter = ["kind", "language", "forum"]
    list_select_related = ["forum", "roundtable__forum", "session__roundtable"]
    search_fields = ["title", "description"]
    raw_id_fields = ["session"]
    date_hierarchy = "circulated_on"
    fieldsets = [
        (None, {"fields": ["title", "kind", "description", "file", "language", "circulated_on", "position"]}),
        (
            _("Attached to"),
            {
                "fields": ["forum", "roundtable", "session"],
                "description": _("Choose exactly one: the forum, one of its roundtables or one session."),
            },
        ),
    ]

    @admin.display(description=_("attached to"))
    def attached_to(self, document):
        return document.session or document.roundtable or document.forum
