from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from .health import healthz
from .security import ThrottledAdminAuthenticationForm

admin.site.site_header = _("GFMD Civil Society Days: programme administration")
admin.site.site_title = _("GFMD programme administration")
admin.site.index_title = _("Programme")

admin.site.login_form = ThrottledAdminAuthenticationForm

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]

urlpatterns += i18n_patterns(
    path("", include("roundtables.urls")),
    path("", include("sessions.urls")),
)
