from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammeConfig(AppConfig):
    """What reads across the apps: the public forum and programme pages, search, sitemap, changelog,
    archive, the committee's dashboard and the forum and roundtable admin. It sits above
    ``roundtables``, ``sessions`` and ``contributions``; none of them imports it."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "programme"
    verbose_name = _("Programme")

    def ready(self):
        from core.programme_version import programme_version_changed

        from .context_processors import navigation_forum_forget
        from .search_index import index_watch

        programme_version_changed.connect(navigation_forum_forget, dispatch_uid="navigation_forum_forget")
        index_watch()  # the search index follows every saved or deleted record
