"""Applying an import: the preview's signed payload, and the writes, all or nothing.

``import_apply`` plans again with the sessions locked and, only if that plan is the one previewed and
refuses no row, writes every change in one transaction, recorded as one revision of the history.
"""

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from core.versions import revision

from ..models import Participation
from .plan import import_plan

PAYLOAD_SALT = "gfmd.sessions.spreadsheet-import"
PAYLOAD_MAX_AGE = 60 * 60  # seconds between the preview and its confirmation


class ImportNotApplied(Exception):
    """Nothing was written: the file now refuses rows, or the programme changed since the preview."""

    def __init__(self, plan, *, outdated):
        super().__init__("import not applied")
        self.plan = plan
        self.outdated = outdated


def import_payload(*, forum, rows, filename, plan):
    """The signed text a preview form carries to its confirmation: the rows read, and the plan shown."""
    data = {"forum": forum.pk, "rows": rows, "filename": filename, "digest": plan.digest}
    return signing.dumps(data, salt=PAYLOAD_SALT, compress=True)


def import_payload_read(payload, *, forum):
    """(rows, filename, digest) from a preview's signed text; raises signing.BadSignature when it is not one."""
    data = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    if data.get("forum") != forum.pk:
        raise signing.BadSignature("The preview was made for another forum.")
    rows = [(int(number), dict(cells)) for number, cells in data["rows"]]
    return rows, str(data.get("filename", "")), str(data["digest"])


@transaction.atomic
def import_apply(*, forum, rows, user, filename, digest):
    """Write the changes of ``rows`` if they are still those previewed (``digest``) and no row is refused.

    Returns the plan applied. Raises ImportNotApplied, having written nothing, otherwise; a change the
    database refuses raises its error and rolls everything back too.
    """
    plan = import_plan(forum=forum, rows=rows, user=user, lock=True)
    if plan.refused or plan.digest != digest:
        raise ImportNotApplied(plan, outdated=plan.digest != digest)
    if not plan.changed:
        return plan
    codes = ", ".join(row.code for row in plan.changed)
    comment = _("Imported from %(file)s: sessions %(codes)s.") % {
        "file": filename or _("a spreadsheet"),
        "codes": codes,
    }
    with revision(user=user, comment=comment):
        for row in plan.changed:
            session = row.session
            for _added, removed in row.people.values():
                Participation.objects.filter(pk__in=[participation.pk for participation in removed]).delete()
            for name, value in row.updates.items():
                setattr(session, name, value)
            session.full_clean()
            session.save()
            if row.themes is not None:
                session.themes.set(row.themes)
            last = max((participation.position for participation in session.all_roles), default=0)
            for role, (added, removed) in row.people.items():
                # A newcomer takes the place of the person they replace, else comes after everyone.
                freed = sorted(participation.position for participation in removed)
                for person in added:
                    if freed:
                        position = freed.pop(0)
                    else:
                        last += 1
                        position = last
                    Participation.objects.create(session=session, person=person, role=role, position=position)
    return plan
