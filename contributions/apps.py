from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reviewers_after_migrate(sender, **kwargs):
    from .services import contribution_reviewers_ensure

    contribution_reviewers_ensure()


def _is_public(contribution):
    return contribution.is_published


class ContributionsConfig(AppConfig):
    """Contributions and good practices sent by civil society, reviewed by the organising committee."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "contributions"
    verbose_name = _("Contributions from civil society")

    def ready(self):
        # The committee reviews contributions: its group gets their permissions once they exist.
        post_migrate.connect(_reviewers_after_migrate, dispatch_uid="contributions_reviewers")
        from core.programme_version import watch_public

        # Public only once approved; its themes show on the theme pages (core/programme_version.py).
        watch_public(self.get_model("Contribution"), relations=["themes"], is_public=_is_public)
