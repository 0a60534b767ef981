from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django.views.generic import DetailView, ListView, TemplateView

from contributions import selectors as contributions
from core.forum_time import DATED, when_text
from roundtables import selectors
from roundtables.models import Forum, Theme
from roundtables.views import ForumPageMixin
from sessions import changes, compiled_reads, documents, listings, presenters, spreadsheets

from . import programme_filters, search


def home(request):
    """``/`` leads to the current forum; with none published yet, to the list of forums."""
    forum = selectors.forum_current(request.user)
    if forum is None:
        return redirect("roundtables:forum-list")
    return redirect(forum)


class ForumListView(ListView):
    template_name = "roundtables/forum_list.html"
    context_object_name = "forums"

    def get_queryset(self):
        return Forum.objects.visible_to(self.request.user).order_by("-starts_on")


class ForumDetailView(ForumPageMixin, TemplateView):
    template_name = "roundtables/forum_detail.html"

    def get_context_data(self, **kwargs):
        roundtables = list(listings.roundtables_for_forum_page(forum=self.forum, user=self.request.user))
        return super().get_context_data(
            roundtables=roundtables,
            # Programme files are offered only with content: a session to list, a scheduled one for calendars.
            has_programme=any(roundtable.session_total for roundtable in roundtables),
            has_schedule=any(roundtable.scheduled_total for roundtable in roundtables),
            documents=documents.documents_for_forum_home(forum=self.forum, user=self.request.user),
            contributions=contributions.contributions_for_forum(forum=self.forum),
            **kwargs,
        )


class ProgrammeView(ForumPageMixin, TemplateView):
    template_name = "roundtables/forum_programme.html"

    def get_context_data(self, **kwargs):
        sessions = listings.sessions_for_cards(forum=self.forum, user=self.request.user)
        rooms = list(self.forum.rooms.all())
        filters = programme_filters.programme_filters(
            query=self.request.GET,
            path=self.request.path,
            forum=self.forum,
            sessions=sessions,
            rooms=rooms,
            session_themes=listings.session_themes_for_programme(forum=self.forum, user=self.request.user),
        )
        shown = filters.sessions
        grid = filters.is_rooms_view and programme_filters.room_grid(sessions=shown, rooms=rooms, zone=self.forum.zone)
        return super().get_context_data(
            days=listings.programme_days(sessions=sessions, forum=self.forum),  # the whole programme
            shown_days=listings.programme_days(sessions=shown, forum=self.forum),  # what the filters keep
            room_grid=grid,
            filters=filters,
            rooms=rooms,
            session_count=len(sessions),
            shown_count=len(shown),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        if context["filters"].unknown:  # an address this programme has no page for: said on the page, status 404
            response_kwargs["status"] = 404
        return super().render_to_response(context, **response_kwargs)


@require_safe
def programme_spreadsheet(request, forum, fmt):
    """The programme as a spreadsheet for everyone: the published sessions of a published forum, whoever asks
    (the committee downloads the one with drafts from the admin); 404 while no session is published."""
    forum = selectors.forum_for_page(slug=forum)
    if not listings.forum_has_programme(forum=forum):
        raise Http404("The programme of this forum is not yet published.")
    return spreadsheets.spreadsheet_response(forum=forum, fmt=fmt)


class ForumChangesView(ForumPageMixin, TemplateView):
    """What changed in the published programme, latest first, day by day in the forum's time zone."""

    template_name = "roundtables/forum_changes.html"

    def get_context_data(self, **kwargs):
        found = changes.forum_changes(self.forum)
        return super().get_context_data(days=changes.changes_by_day(found, self.forum.zone), **kwargs)


class ForumChangesFeed(Feed):
    """The same changes as an Atom feed, in the language of its address (published forums only)."""

    feed_type = Atom1Feed
    description_template = "roundtables/feeds/change_description.html"

    def get_object(self, request, forum):
        return selectors.forum_for_page(slug=forum)

    def title(self, forum):
        return _("What changed: %(forum)s") % {"forum": forum.name}

    def subtitle(self, forum):
        return _("Changes to the published programme of %(forum)s, latest first.") % {"forum": forum.name}

    def link(self, forum):
        return reverse("roundtables:changes", kwargs={"forum": forum.slug})

    def feed_url(self, forum):
        return reverse("roundtables:changes-feed", kwargs={"forum": forum.slug})

    def author_name(self):
        return _("GFMD Civil Society Days")

    def items(self, forum):
        page = self.link(forum)
        items = changes.forum_changes(forum)[: changes.FEED_LENGTH]
        for item in items:
            item.link = f"{page}#{item.key}"  # unique and stable: the entry's id too
        return items

    def item_title(self, item):
        return item.summary

    def item_link(self, item):
        return item.link

    def item_pubdate(self, item):
        return item.at

    def item_updateddate(self, item):
        return item.at

    def get_context_data(self, **kwargs):
        item, forum, request = kwargs["item"], kwargs["obj"], kwargs["request"]
        return {
            "obj": item,
            "base": f"{request.scheme}://{request.get_host()}",
            "when": when_text(item.at, None, forum, style=DATED),
            "zone": forum.time_zone,
        }


class RoundtableDetailView(ForumPageMixin, TemplateView):
    template_name = "roundtables/roundtable_detail.html"

    def get_context_data(self, **kwargs):
        roundtable = listings.roundtable_for_page(forum=self.forum, slug=self.kwargs["slug"], user=self.request.user)
        return super().get_context_data(
            roundtable=roundtable,
            sessions=roundtable.public_sessions,
            contributions=contributions.contributions_for_roundtable(roundtable=roundtable),
            **kwargs,
        )


class DocumentListView(ForumPageMixin, TemplateView):
    template_name = "roundtables/forum_documents.html"

    def get_context_data(self, **kwargs):
        forum_documents = documents.documents_for_forum_page(forum=self.forum, user=self.request.user)
        return super().get_context_data(documents=forum_documents, **kwargs)


class ThemeListView(ListView):
    template_name = "roundtables/theme_list.html"
    context_object_name = "themes"

    def get_queryset(self):
        return listings.themes_for_listing(self.request.user)


class ThemeDetailView(DetailView):
    template_name = "roundtables/theme_detail.html"
    context_object_name = "theme"
    queryset = Theme.objects.all()

    def get_context_data(self, **kwargs):
        sessions = listings.sessions_for_cards(
            user=self.request.user,
            theme=self.object,
            ordering=["-roundtable__forum__starts_on", "roundtable__number", "number"],
        )
        return super().get_context_data(
            sessions=sessions, contributions=contributions.contributions_for_theme(theme=self.object), **kwargs
        )


class SearchView(TemplateView):
    """``?q=``: what matches among the sessions, issues, roundtables, people and documents the visitor may see,
    ``?page=`` by ``?page=`` (``search.RESULTS_PER_PAGE`` a page), grouped by kind."""

    template_name = "roundtables/search.html"

    def get_context_data(self, **kwargs):
        query, is_cut = search.query_clean(self.request.GET.get("q", ""))
        number = search.page_number(self.request.GET.get("page"))
        results = search.programme_search(query=query, user=self.request.user, page=number) if query else None
        return super().get_context_data(
            query=query,
            query_is_cut=is_cut,
            max_query_length=search.MAX_QUERY_LENGTH,
            results=results,
            groups=results.groups if results else [],
            result_total=results.total if results else 0,
            **kwargs,
        )


class SessionDetailView(TemplateView):
    """A session's page. Its forum comes with the session (``Session.visible_to`` decides both), so the page
    makes no query of its own for the forum named in its address."""

    template_name = "sessions/session_detail.html"

    def get_context_data(self, **kwargs):
        session = listings.session_for_page(
            forum_slug=self.kwargs["forum"],
            roundtable_slug=self.kwargs["roundtable"],
            slug=self.kwargs["slug"],
            user=self.request.user,
        )
        previous, following = listings.session_neighbours(session=session, user=self.request.user)
        kwargs.update(
            forum=session.roundtable.forum,
            session=session,
            roundtable=session.roundtable,
            previous=previous,
            following=following,
            issue_groups=presenters.issue_groups(session.top_issues),
            people_by_role=presenters.people_by_role(session.participations.all()),
            contributions=compiled_reads.read(  # as contributions_for_session, its SQL compiled once
                "session contributions",
                lambda session: contributions.contributions_for_cards().filter(session=session),
                user=None,  # published contributions, for staff too
                session=session.pk,
            ),
        )
        return super().get_context_data(**kwargs)


class OrganisationDetailView(TemplateView):
    template_name = "sessions/organisation_detail.html"

    def get_context_data(self, **kwargs):
        organisation = contributions.organisation_for_page(slug=self.kwargs["slug"], user=self.request.user)
        return super().get_context_data(organisation=organisation, **kwargs)
