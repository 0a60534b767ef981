"""What every page's header needs: the forum whose programme the menu offers, and which menu entry is this page.

The menu is the same on every page. Its forum is the page's own (a forum, roundtable, session or
programme page passes ``forum`` to its template), and on pages that belong to no forum (themes, good
practices, search, my agenda…) the forum ``/`` leads to. Looking that one up is a query; it is made
only when a page without a forum of its own is rendered, and its answer is kept in the cache until
the programme changes (``programme_version_changed``), so most pages cost no query for it.
A cached entry also expires after ``NAV_FORUM_TIMEOUT`` seconds, which bounds how long a process
with its own local-memory cache can miss a change made by another process.
"""

from django.core.cache import cache
from django.utils.functional import cached_property

from core import permissions
from roundtables import selectors

NAV_FORUM_TIMEOUT = 60
_NAV_FORUM_KEYS = {False: "navigation:forum:public", True: "navigation:forum:preview"}

# Pages that belong to a menu entry without being its page (the entry is shown as the current section).
_SECTIONS = {
    "roundtables:theme": "roundtables:theme-list",
    "contributions:detail": "contributions:library",
    "contributions:thanks": "contributions:submit",
}


def navigation_forum(user=None):
    """The forum of the menu on pages of no forum: ``selectors.forum_current``, cached (see the module docstring)."""
    key = _NAV_FORUM_KEYS[permissions.can_preview(user)]
    entry = cache.get(key)
    if entry is None:
        entry = {"forum": selectors.forum_current(user)}
        cache.set(key, entry, NAV_FORUM_TIMEOUT)
    return entry["forum"]


def navigation_forum_forget(**kwargs):
    """Receiver of ``programme_version_changed``: the next page looks the forum up again."""
    cache.delete_many(list(_NAV_FORUM_KEYS.values()))


class Navigation:
    """Read by ``base.html``: ``forum`` (looked up only when read), ``page`` (this page's view name, such
    as ``roundtables:programme``), ``section`` (the menu entry this page belongs to) and ``forum_slug``
    (the forum named in this page's address, if any)."""

    def __init__(self, request):
        self.request = request
        match = getattr(request, "resolver_match", None)
        self.page = match.view_name if match else ""
        self.section = _SECTIONS.get(self.page, self.page)
        self.forum_slug = match.kwargs.get("forum", "") if match else ""

    @cached_property
    def forum(self):
        return navigation_forum(getattr(self.request, "user", None))


def navigation(request):
    return {"navigation": Navigation(request)}
