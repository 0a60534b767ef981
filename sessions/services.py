"""Writes that touch several rows of the programme."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from core.versions import revision
from roundtables.models import Status

from .models import Issue, Organisation, Participation, Person, Session


@transaction.atomic
def session_publish(*, sessions, user=None):
    """Publish ``sessions``; return (the ones published now, the ones that already were)."""
    return _sessions_set_status(sessions, Status.PUBLISHED, user, _("Published sessions %(codes)s."))


@transaction.atomic
def session_unpublish(*, sessions, user=None):
    """Take ``sessions`` back to draft; return (the ones changed now, the ones that already were drafts)."""
    return _sessions_set_status(sessions, Status.DRAFT, user, _("Took sessions %(codes)s back to draft."))


def _sessions_set_status(sessions, status, user, comment):
    rows = list(
        Session.objects.select_for_update()
        .filter(pk__in=[session.pk for session in sessions])
        .select_related("roundtable")
        .order_by("roundtable__number", "number")
    )
    changed = [session for session in rows if session.status != status]
    unchanged = [session for session in rows if session.status == status]
    if changed:
        with revision(user=user, comment=comment % {"codes": ", ".join(session.code for session in changed)}):
            for session in changed:
                session.status = status
                session.save(update_fields=["status", "updated_at"])
    return changed, unchanged


@transaction.atomic
def session_move(*, session, direction, user=None):
    """Swap ``session`` with the one before ("up") or after ("down") it in its roundtable.

    Sessions are ordered by their number, so the two swap numbers (and codes). Returns the other
    session, or None when ``session`` is already first or last.
    """
    if direction not in {"up", "down"}:
        raise ValueError(direction)
    siblings = Session.objects.select_for_update().filter(roundtable_id=session.roundtable_id)
    session = siblings.get(pk=session.pk)
    if direction == "up":
        other = siblings.filter(number__lt=session.number).order_by("-number").first()
    else:
        other = siblings.filter(number__gt=session.number).order_by("number").first()
    if other is None:
        return None
    spare = siblings.aggregate(highest=Max("number"))["highest"] + 1
    numbers = session.number, other.number
    comment = _("Moved session %(code)s up.") if direction == "up" else _("Moved session %(code)s down.")
    comment = comment % {"code": session.code}
    with revision(user=user, comment=comment):
        # The number is unique in the roundtable: park one session on a free number during the swap.
        session.number = spare
        session.save(update_fields=["number", "updated_at"])
        other.number = numbers[0]
        other.save(update_fields=["number", "updated_at"])
        session.number = numbers[1]
        session.save(update_fields=["number", "updated_at"])
    return other


def issue_position_next(*, session_id, parent_id=None):
    """The order number after the last of an issue's siblings: the session's issues, or ``parent_id``'s
    sub-points. A new issue entered in the admin without one takes it, rather than 0 (before every other)."""
    siblings = Issue.objects.filter(session_id=session_id, parent_id=parent_id)
    return (siblings.aggregate(last=Max("position"))["last"] or 0) + 1


@transaction.atomic
def issue_set_points(*, issue, texts):
    """Make the sub-points of ``issue`` exactly ``texts``, in order, keeping existing rows where possible."""
    texts = [" ".join(text.split()) for text in texts]
    texts = [text for text in texts if text]
    existing = list(issue.points.order_by("position", "id"))
    for position, text in enumerate(texts, start=1):
        if position <= len(existing):
            point = existing[position - 1]
            if point.text != text or point.position != position:
                point.text = text
                point.position = position
                point.save(update_fields=["text", "position"])
        else:
            Issue.objects.create(
                session_id=issue.session_id, parent=issue, kind=Issue.Kind.POINT, text=text, position=position
            )
    for point in existing[len(texts) :]:
        point.delete()


def _save_if_changed(instance, **values):
    """Set the values that differ, then check and save only if something changed (or the row is new)."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed or instance.pk is None:
        instance.full_clean()
        instance.save()
    return instance


@transaction.atomic
def people_load(*, organisations, people):
    """Create or bring up to date ``organisations`` and ``people`` described as in a programme file,
    matched by slug; a person's ``organisation`` is the slug of one of them (or of one already stored).
    Returns {slug: Person}. Rows that already say the same are not written."""
    by_slug = {}
    for item in organisations:
        organisation = Organisation.objects.filter(slug=item["slug"]).first() or Organisation(slug=item["slug"])
        by_slug[item["slug"]] = _save_if_changed(
            organisation,
            name=item["name"],
            kind=item.get("kind", Organisation.Kind.NGO),
            country=item.get("country", ""),
            website=item.get("website", ""),
        )
    loaded = {}
    for item in people:
        slug = item.get("organisation")
        organisation = None
        if slug:
            organisation = by_slug.get(slug) or Organisation.objects.filter(slug=slug).first()
            if organisation is None:
                raise ValidationError(
                    _("%(person)s belongs to an unknown organisation: %(slug)s.")
                    % {"person": item["slug"], "slug": slug}
                )
        person = Person.objects.filter(slug=item["slug"]).first() or Person(slug=item["slug"])
        loaded[item["slug"]] = _save_if_changed(
            person,
            name=item["name"],
            organisation=organisation,
            position=item.get("position", ""),
            country=item.get("country", ""),
            biography=item.get("biography", ""),
        )
    return loaded


@transaction.atomic
def session_set_roles(*, session, roles, people):
    """Make ``session``'s roles exactly ``roles`` ([{"person": slug, "role": role}], in order), keeping
    the rows of roles it already had (matched by person and role). ``people`` maps slugs to the people
    just loaded; other slugs are looked up among the people stored."""
    existing = {(p.person_id, p.role): p for p in session.participations.select_related("person")}
    kept = set()
    for position, item in enumerate(roles, start=1):
        person = people.get(item["person"]) or Person.objects.filter(slug=item["person"]).first()
        if person is None:
            raise ValidationError(
                _("Session %(code)s names an unknown person: %(slug)s.")
                % {"code": session.code, "slug": item["person"]}
            )
        key = (person.pk, item["role"])
        kept.add(key)
        participation = existing.get(key) or Participation(session=session, person=person, role=item["role"])
        _save_if_changed(participation, position=position)
    for key, participation in existing.items():
        if key not in kept:
            participation.delete()
