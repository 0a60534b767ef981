from django.contrib import admin
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions.admin import DocumentInline, RoomInline
from sessions.models import Session

from .models import Forum, Roundtable, Theme


class RoundtableInline(admin.TabularInline):
    model = Roundtable
    fields = ["number", "title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True
    extra = 0


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["name", "city", "starts_on", "ends_on", "status", "roundtable_count"]
    list_filter = ["status", "country"]
    search_fields = ["name", "city", "country", "venue"]
    prepopulated_fields = {"slug": ["name"]}
    date_hierarchy = "starts_on"
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "description"]}),
        (_("Where and when"), {"fields": ["city", "country", "venue", "starts_on", "ends_on", "time_zone"]}),
    ]
    inlines = [RoundtableInline, RoomInline, DocumentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(roundtable_total=Count("roundtables"))

    @admin.display(description=_("roundtables"), ordering="roundtable_total")
    def roundtable_count(self, forum):
        return forum.roundtable_total


class SessionInline(admin.TabularInline):
    model = Session
    fields = ["number", "title", "slug", "starts_at", "ends_at", "room", "status"]
    prepopulated_fields = {"slug": ["title"]}
    show_change_link = True
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "room" and getattr(request, "_roundtable_forum_id", None):
            kwargs["queryset"] = db_field.related_model.objects.filter(forum_id=request._roundtable_forum_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Roundtable)
class RoundtableAdmin(admin.ModelAdmin):
    list_display = ["__str__", "forum", "number", "session_count"]
    list_display_links = ["__str__"]
    list_editable = ["number"]
    list_filter = ["forum"]
    list_select_related = ["forum"]
    search_fields = ["title", "background", "forum__name"]
    prepopulated_fields = {"slug": ["title"]}
    fields = ["forum", "number", "title", "slug", "background"]
    inlines = [SessionInline, DocumentInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="session_total")
    def session_count(self, roundtable):
        return roundtable.session_total

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        roundtable = self.get_object(request, object_id) if object_id else None
        zone = roundtable.forum.time_zone if roundtable else timezone.get_current_timezone_name()
        request._roundtable_forum_id = roundtable.forum_id if roundtable else None
        with timezone.override(zone):
            response = super().changeform_view(request, object_id, form_url, extra_context)
            # Render now: a TemplateResponse would otherwise show its times after the override ends.
            if hasattr(response, "render"):
                response.render()
            return response


@admin.register(Theme)
class ThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "session_count"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description=_("sessions"), ordering="session_total")
    def session_count(self, theme):
        return theme.session_total
