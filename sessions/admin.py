import re

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from core.admin import ParentScopedInlineMixin, ProgrammeAdmin
from core.forum_time import DATED, when_text
from roundtables.admin_mixins import ForumTimeZoneMixin, RoundtableScopeMixin, programme_scope
from roundtables.forms import RoomChoiceField, RoundtableChoiceField
from sessions.admin_filters import (
    RememberedForumMixin,
    SessionForumFilter,
    SessionPartForumFilter,
    SessionPartRoundtableFilter,
    SessionRoomFilter,
    SessionRoundtableFilter,
)

from . import admin_documents, admin_people  # noqa: F401 (register their admins)
from .admin_languages import MissingFrenchFilter, MissingSpanishFilter
from .forms import (
    IssueAdminForm,
    IssueInlineForm,
    ParticipationAdminForm,
    ParticipationInlineForm,
    PointForm,
    SessionAdminForm,
    SessionParticipationFormSet,
)
from .models import (
    Issue,
    Participation,
    Room,
    Session,
)
from .pdf.tasks import schedule_renders
from .services import session_move, session_publish, session_unpublish

CODE_PATTERN = re.compile(r"^\s*(\d+)\.(\d+)\s*$")
EDITING_MEDIA = {"js": ["js/admin_reorder.js"], "css": {"all": ["css/admin_editing.css"]}}


class RoomInline(ParentScopedInlineMixin, admin.TabularInline):
    model = Room
    fields = ["name", "capacity", "position"]
    extra = 0


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
    return when_text(session.starts_at, session.ends_at, session.roundtable.forum, style=DATED)


@admin.register(Session)
class SessionAdmin(RememberedForumMixin, RoundtableScopeMixin, ForumTimeZoneMixin, ProgrammeAdmin):
    form = SessionAdminForm
    list_display = ["code", "title", "forum", "local_start", "room", "status", "reorder"]
    list_display_links = ["code", "title"]
    list_filter = [
        SessionForumFilter,
        SessionRoundtableFilter,
        "status",
        "kind",
        "themes",
        SessionRoomFilter,
        MissingFrenchFilter,
        MissingSpanishFilter,
    ]
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

    def get_queryset(self, request):
        # The changelist applies list_select_related only to a queryset without select_related, and
        # SessionPartMixin's has one: the person is joined here, or each row would fetch its own.
        return super().get_queryset(request).select_related("person")


@admin.register(Room)
class RoomAdmin(ProgrammeAdmin):
    list_display = ["name", "forum", "capacity", "position"]
    list_editable = ["capacity", "position"]
    list_filter = ["forum"]
    list_select_related = ["forum"]
    search_fields = ["name", "forum__name"]
