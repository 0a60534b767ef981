"""The admin's list filters by forum, then by roundtable and room of that forum.

Every edition has a "Roundtable 1" and a "Room A": a list first filters by forum, and its roundtable and
room filters then offer only that forum's. With no forum chosen they offer every forum's, each named
with its forum. The session list remembers the forum last chosen (``RememberedForumMixin``).
"""

from django.contrib import admin
from django.contrib.admin.views.main import IS_POPUP_VAR, SEARCH_VAR, TO_FIELD_VAR
from django.http import HttpResponseRedirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from roundtables.forms import room_label, roundtable_label
from roundtables.models import Forum, Roundtable

from .models import Room

ALL_FORUMS = "all"


def _chosen(value):
    return int(value) if value and value.isdigit() else None


class ForumListFilter(admin.SimpleListFilter):
    """The forum a list shows; choosing one clears the roundtable and room chosen in another forum."""

    title = _("forum")
    parameter_name = "forum"
    roundtable_path = "roundtable"  # from the listed model to its roundtable
    narrowed_parameters = ()  # the filters that depend on the forum, cleared when it changes

    def lookups(self, request, model_admin):
        return [(str(forum.pk), forum.name) for forum in Forum.objects.order_by("-starts_on", "name").only("name")]

    def queryset(self, request, queryset):
        forum_id = _chosen(self.value())
        if forum_id is None:
            return queryset
        return queryset.filter(**{f"{self.roundtable_path}__forum_id": forum_id})

    def choices(self, changelist):
        yield {
            "selected": _chosen(self.value()) is None,
            "query_string": changelist.get_query_string(
                {self.parameter_name: ALL_FORUMS}, remove=list(self.narrowed_parameters)
            ),
            "display": _("All forums"),
        }
        for value, title in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string(
                    {self.parameter_name: value}, remove=list(self.narrowed_parameters)
                ),
                "display": title,
            }


class _NarrowedByForum(admin.SimpleListFilter):
    """A filter whose choices are those of the forum chosen in ``forum_filter`` (else every forum's)."""

    forum_filter = ForumListFilter
    path = ""  # from the listed model to the filtered record

    def chosen_forum(self, request):
        return _chosen(request.GET.get(self.forum_filter.parameter_name))

    def queryset(self, request, queryset):
        chosen = _chosen(self.value())
        return queryset if chosen is None else queryset.filter(**{f"{self.path}__id": chosen})


class RoundtableListFilter(_NarrowedByForum):
    title = _("roundtable")
    parameter_name = "roundtable"
    path = "roundtable"

    def lookups(self, request, model_admin):
        roundtables = Roundtable.objects.select_related("forum").only("number", "title", "forum__name")
        forum_id = self.chosen_forum(request)
        if forum_id is not None:
            return [(str(item.pk), str(item)) for item in roundtables.filter(forum_id=forum_id).order_by("number")]
        roundtables = roundtables.order_by("-forum__starts_on", "forum__name", "number")
        return [(str(item.pk), roundtable_label(item)) for item in roundtables]


class RoomListFilter(_NarrowedByForum):
    title = _("room")
    parameter_name = "room"
    path = "room"

    def lookups(self, request, model_admin):
        rooms = Room.objects.select_related("forum").only("name", "forum__name")
        forum_id = self.chosen_forum(request)
        if forum_id is not None:
            return [(str(room.pk), room.name) for room in rooms.filter(forum_id=forum_id).order_by("position", "name")]
        rooms = rooms.order_by("-forum__starts_on", "forum__name", "position", "name")
        return [(str(room.pk), room_label(room)) for room in rooms]


class SessionForumFilter(ForumListFilter):
    narrowed_parameters = (RoundtableListFilter.parameter_name, RoomListFilter.parameter_name)


class SessionRoundtableFilter(RoundtableListFilter):
    forum_filter = SessionForumFilter


class SessionRoomFilter(RoomListFilter):
    forum_filter = SessionForumFilter


class SessionPartForumFilter(ForumListFilter):
    """For issues and roles: the forum of their session."""

    roundtable_path = "session__roundtable"
    narrowed_parameters = ("roundtable",)


class SessionPartRoundtableFilter(RoundtableListFilter):
    forum_filter = SessionPartForumFilter
    path = "session__roundtable"


class RememberedForumMixin:
    """The list opens on the forum last chosen in it (kept in the user's session, across visits).

    A list opened without a forum, roundtable, room or search is sent to the forum remembered;
    "All forums" is remembered like any forum.
    """

    forum_filter = SessionForumFilter
    unremembered_when = ("roundtable", "room", SEARCH_VAR)
    # The parameters of Django's own filters that these replaced, as in links and bookmarks made before.
    renamed_parameters = {
        "roundtable__forum__id__exact": "forum",
        "roundtable__id__exact": "roundtable",
        "room__id__exact": "room",
    }

    def get_list_display(self, request):
        """Without the forum column once the list shows one forum: the filter and the page say which."""
        columns = list(super().get_list_display(request))
        if request.GET.get(self.forum_filter.parameter_name, "").isdigit() and "forum" in columns:
            columns.remove("forum")
        return columns

    def _remembered_key(self):
        return f"admin_forum:{self.opts.label_lower}"

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET" and any(name in request.GET for name in self.renamed_parameters):
            query = request.GET.copy()
            for old, new in self.renamed_parameters.items():
                if old in query:
                    query.setlist(new, query.pop(old))
            return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        parameter = self.forum_filter.parameter_name
        key = self._remembered_key()
        chosen = request.GET.get(parameter, "")
        if chosen == ALL_FORUMS or chosen.isdigit():
            if request.session.get(key) != chosen:
                request.session[key] = chosen
        elif request.method == "GET" and not any(
            name in request.GET for name in (parameter, IS_POPUP_VAR, TO_FIELD_VAR, *self.unremembered_when)
        ):
            remembered = request.session.get(key, "")
            if remembered == ALL_FORUMS or (remembered.isdigit() and Forum.objects.filter(pk=remembered).exists()):
                query = request.GET.copy()
                query[parameter] = remembered
                return HttpResponseRedirect(f"{request.path}?{query.urlencode()}")
        forum = Forum.objects.filter(pk=chosen).only("name", "time_zone").first() if chosen.isdigit() else None
        extra_context = {"time_zone_note": self.changelist_time_zone_note(forum), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def changelist_time_zone_note(self, forum):
        if forum is None:
            return gettext("Times are in the time zone of each session's forum.")
        return gettext("Times are in %(zone)s, the time zone of %(forum)s.") % {
            "zone": forum.time_zone,
            "forum": forum.name,
        }
