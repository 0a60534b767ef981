from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _reviewers_after_migrate(sender, **kwargs):
    from .services import contribution_reviewers_ensure

    contribution_reviewers_ensure()


class ContributionsConfig(AppConfig):
    """Contributions and good practices sent by civil society, reviewed by the organising committee."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "contributions"
    verbose_name = _("Contributions from civil society")

    def ready(self):
        # The committee reviews contributions: its group gets their permissions once they exist.
        post_migrate.connect(_reviewers_after_migrate, dispatch_uid="contributions_reviewers")
