"""The files browsers and crawlers ask for at the root of the site, whatever the page links to.

``/favicon.ico`` is the icon under ``static/img/`` (pages also link the SVG one); ``/robots.txt``
lets every crawler in and names the sitemap at the host it was asked on.
"""

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

FAVICON = "img/favicon.ico"


def _static_file(name):
    """Open a static file: from STATIC_ROOT once collected, else from the app and project folders."""
    if staticfiles_storage.exists(name):
        return staticfiles_storage.open(name, "rb")
    path = finders.find(name)
    if not path:
        raise Http404(f"{name} is missing.")
    return open(path, "rb")  # FileResponse closes it


@require_safe
@cache_control(public=True, max_age=86400)
def favicon(request):
    return FileResponse(_static_file(FAVICON), content_type="image/x-icon")


@require_safe
@cache_control(public=True, max_age=3600)
def robots_txt(request):
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    body = f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n"
    return HttpResponse(body, content_type="text/plain; charset=utf-8")
