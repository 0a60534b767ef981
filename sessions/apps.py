from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsConfig(AppConfig):
    """The programme's sessions. The label keeps clear of django.contrib.sessions."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sessions"
    label = "programme_sessions"
    verbose_name = _("Sessions")

    def ready(self):
        from core.programme_version import programme_version_changed, watch_public

        from .pdf.tasks import refresh_on_programme_change

        # What the public pages, calendars and PDFs show of this app (core/programme_version.py).
        for name in ["Room", "Organisation", "Person", "Issue", "Participation", "DocumentFile"]:
            watch_public(self.get_model(name))
        watch_public(self.get_model("Session"), relations=["themes"])
        watch_public(self.get_model("Document"), relations=["sessions", "roundtables"])
        programme_version_changed.connect(refresh_on_programme_change, dispatch_uid="pdf_refresh_on_programme_change")
