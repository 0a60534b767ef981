"""``/sitemap.xml``: every public page in every language, each with its translations as alternates.

Only what the public may see: published forums and their pages, the sessions published in them,
all themes, people who have a role in a published session, and organisations with such a person or
a published contribution.
"""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from contributions.selectors import organisations_for_public_pages
from roundtables.models import Forum, Roundtable, Theme
from sessions.models import Person, Session


class PublicSitemap(Sitemap):
    i18n = True
    alternates = True
    x_default = True


class ListPageSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self):
        return ["roundtables:forum-list", "roundtables:theme-list"]

    def location(self, item):
        return reverse(item)


class ForumPageSitemap(PublicSitemap):
    """Each published forum's home page, programme and documents."""

    changefreq = "daily"
    page_names = ("roundtables:forum", "roundtables:programme", "roundtables:documents")

    def items(self):
        forums = Forum.objects.visible_to(None).order_by("-starts_on", "pk")
        return [(forum, name) for forum in forums for name in self.page_names]

    def location(self, item):
        forum, name = item
        return reverse(name, kwargs={"forum": forum.slug})

    def lastmod(self, item):
        return item[0].updated_at


class RoundtableSitemap(PublicSitemap):
    changefreq = "daily"

    def items(self):
        forums = Forum.objects.visible_to(None).values("pk")
        return Roundtable.objects.filter(forum__in=forums).select_related("forum").order_by("forum__slug", "number")

    def lastmod(self, roundtable):
        return roundtable.updated_at


class SessionSitemap(PublicSitemap):
    changefreq = "daily"

    def items(self):
        return (
            Session.objects.visible_to(None)
            .select_related("roundtable__forum")
            .order_by("roundtable__forum__slug", "roundtable__number", "number")
        )

    def lastmod(self, session):
        return session.updated_at


class ThemeSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self):
        return Theme.objects.order_by("slug")


class PersonSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self):
        return Person.objects.visible_to(None).order_by("slug")


class OrganisationSitemap(PublicSitemap):
    changefreq = "weekly"

    def items(self):
        return organisations_for_public_pages().order_by("slug")


SITEMAPS = {
    "lists": ListPageSitemap,
    "forums": ForumPageSitemap,
    "roundtables": RoundtableSitemap,
    "sessions": SessionSitemap,
    "themes": ThemeSitemap,
    "people": PersonSitemap,
    "organisations": OrganisationSitemap,
}
