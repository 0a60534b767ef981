from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from core.page_cache import cache_public_page
from core.security import ThrottledAdminAuthenticationForm
from programme.sitemaps import SITEMAPS

from .health import healthz
from .site_files import favicon, robots_txt

admin.site.site_header = _("GFMD Civil Society Days: programme administration")
admin.site.site_title = _("GFMD programme administration")
admin.site.index_title = _("Programme")

admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path("robots.txt", robots_txt, name="robots-txt"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),  # the old language form; pages now link to each language
    path("sitemap.xml", cache_public_page(sitemap, params=["p"]), {"sitemaps": SITEMAPS}, name="sitemap"),
]

urlpatterns += i18n_patterns(
    path("", include("programme.urls")),
    path("", include("sessions.urls")),
    path("", include("contributions.urls")),
)
