"""Admin mixins scoped by roundtable and forum: what a coordinator may change, and times read in the
forum's time zone."""

from django.contrib.admin.utils import unquote
from django.utils import timezone
from django.utils.translation import gettext

from roundtables.models import Roundtable
from roundtables.selectors import roundtable_ids_editable_by


def programme_scope(request):
    """None when the user edits the whole programme; else the ids of the roundtables they coordinate."""
    if not hasattr(request, "_programme_scope"):
        request._programme_scope = roundtable_ids_editable_by(request.user)
    return request._programme_scope


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
