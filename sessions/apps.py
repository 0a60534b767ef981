from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    """The programme's sessions. The label keeps clear of django.contrib.sessions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sessions"
    label = "programme_sessions"
    verbose_name = _("Sessions")

    def ready(self):
        from roundtables.cache import programme_version_changed

        from .pdf_tasks import refresh_on_programme_change

        programme_version_changed.connect(refresh_on_programme_change, dispatch_uid="pdf_refresh_on_programme_change")
