"""The programme's version stamp: what cached pages and PDFs are checked against.

Any save or delete of a programme record bumps the stamp in the database (one UPDATE), so a cached
page made from an older version is never served again, by any process.
"""

from django.db.models import F
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

PROGRAMME_APP_LABELS = {"roundtables", "programme_sessions", "contributions"}


def programme_version():
    """The current version of the programme (one small query)."""
    from .models import ProgrammeStamp

    version = ProgrammeStamp.objects.filter(pk=1).values_list("version", flat=True).first()
    return version or 0


def programme_bump():
    from .models import ProgrammeStamp

    updated = ProgrammeStamp.objects.filter(pk=1).update(version=F("version") + 1, changed_at=timezone.now())
    if not updated:
        ProgrammeStamp.objects.get_or_create(pk=1, defaults={"version": 2})


def _on_change(sender, **kwargs):
    if kwargs.get("raw"):
        return
    if sender._meta.app_label in PROGRAMME_APP_LABELS and sender._meta.model_name != "programmestamp":
        programme_bump()


def _on_m2m_change(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        programme_bump()


def connect_signals():
    post_save.connect(_on_change, dispatch_uid="programme_stamp_save")
    post_delete.connect(_on_change, dispatch_uid="programme_stamp_delete")
    m2m_changed.connect(_on_m2m_change, dispatch_uid="programme_stamp_m2m")
