"""The addresses of pages whose routes take no arguments (the site's menu, search, My agenda…), reversed once
per process for each language, script prefix and URLconf.

Every public page links to eight or more of them; reversing one costs about as much as rendering a dozen
template variables, and its answer depends only on the routes, never on the programme. This module imports
no app.
"""

import functools

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language


def site_url(name):
    """``reverse(name)`` for a route without arguments, in the active language: ``site_url("roundtables:home")``
    is "/fr/" on a French page. Raises NoReverseMatch, as ``reverse`` does, for a route that needs arguments."""
    return _reversed(name, get_language(), get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=256)
def _reversed(name, language, script_prefix, urlconf):
    # ``reverse`` reads the active language and script prefix itself: they are this call's key.
    return reverse(name, urlconf=urlconf)
