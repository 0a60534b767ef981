"""The committee's admin for people and organisations."""

from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from core.admin import ParentScopedInlineMixin, ProgrammeAdmin
from roundtables.admin_mixins import programme_scope
from sessions.forms import (
    PersonParticipationFormSet,
)
from sessions.models import (
    Organisation,
    Participation,
    Person,
    Session,
)
from sessions.selectors import person_editable_by


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
