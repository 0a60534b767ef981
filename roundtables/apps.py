from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _organiser_group_after_migrate(sender, **kwargs):
    from .services import coordinator_group_ensure, organiser_group_ensure

    organiser_group_ensure()
    coordinator_group_ensure()


class RoundtablesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "roundtables"
    verbose_name = _("Forums and roundtables")

    def ready(self):
        # Permissions exist only once every app has migrated, hence post_migrate.
        post_migrate.connect(_organiser_group_after_migrate, dispatch_uid="roundtables_organiser_group")
        from core.programme_version import use_stamp, watch_public

        use_stamp(self.get_model("ProgrammeStamp"))
        for name in ["Forum", "Roundtable", "Theme"]:
            watch_public(self.get_model(name))
