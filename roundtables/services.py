"""Writes on forums and roundtables alone: the editors' groups, publishing (across apps: ``programme.services``)."""

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils.translation import gettext as _

from core.permissions import ORGANISING_COMMITTEE, ROUNDTABLE_COORDINATORS
from core.versions import revision

from .models import Forum, Status

PROGRAMME_APPS = ["roundtables", "programme_sessions"]
# What a coordinator edits, in the roundtables assigned to them; they see everything else read-only.
# Documents: those attached to their sessions only (sessions.admin_documents.DocumentAdmin), with their files.
COORDINATOR_MODELS = ["session", "issue", "participation", "document", "documentfile"]
# What they may also add for their sessions, and change as programme.accounts.person_editable_by says.
COORDINATOR_EXTRAS = [("add", "person"), ("change", "person"), ("add", "organisation")]


def organiser_group_ensure():
    """The "Organising committee" group, with every permission on the programme's records."""
    group, _ = Group.objects.get_or_create(name=ORGANISING_COMMITTEE)
    permissions = Permission.objects.filter(content_type__app_label__in=PROGRAMME_APPS)
    group.permissions.add(*permissions)
    return group


def coordinator_group_ensure():
    """The "Roundtable coordinators" group: view the programme, edit sessions, issues and participants, add
    people and organisations.

    The admin narrows the editing down to the roundtables each coordinator is assigned to, and the
    people they may change to those of these roundtables (programme.accounts.person_editable_by).
    """
    group, _ = Group.objects.get_or_create(name=ROUNDTABLE_COORDINATORS)
    view = Permission.objects.filter(content_type__app_label__in=PROGRAMME_APPS, codename__startswith="view_")
    edit = Permission.objects.filter(
        content_type__app_label="programme_sessions", content_type__model__in=COORDINATOR_MODELS
    )
    extras = Permission.objects.filter(
        content_type__app_label="programme_sessions",
        codename__in=[f"{action}_{model}" for action, model in COORDINATOR_EXTRAS],
    )
    group.permissions.add(*view, *edit, *extras)
    return group


def roundtable_coordinators_grant_access(*, roundtable):
    """Put the roundtable's coordinators in the coordinators' group; return the users who were not in it."""
    group = coordinator_group_ensure()
    missing = list(roundtable.coordinators.exclude(groups=group).order_by("username"))
    group.user_set.add(*missing)
    return missing


@transaction.atomic
def forum_publish(*, forum, user=None):
    """Make the forum visible to the public (its published sessions with it). Return False if it already was."""
    return _forum_set_status(forum, Status.PUBLISHED, user, _("Published the forum."))


@transaction.atomic
def forum_unpublish(*, forum, user=None):
    """Take the forum back to draft: hidden from the public, visible to staff. Return False if it already was."""
    return _forum_set_status(forum, Status.DRAFT, user, _("Took the forum back to draft."))


def _forum_set_status(forum, status, user, comment):
    forum = Forum.objects.select_for_update().get(pk=forum.pk)
    if forum.status == status:
        return False
    with revision(user=user, comment=comment):
        forum.status = status
        forum.save(update_fields=["status", "updated_at"])
    return True
