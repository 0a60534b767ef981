"""Writes that touch several rows of the programme."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.translated import SOURCE_LANGUAGE, given_translations
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
def issue_set_points(*, issue, texts, translations=None):
    """Make the sub-points of ``issue`` exactly ``texts`` (English), in order, keeping existing rows where
    possible. ``translations`` maps a language to the points' texts in it, in the same order
    (``{"fr": [...], "es": [...]}``); a language it does not name keeps the translations the points have."""
    translations = translations or {}
    for code, items in translations.items():
        if len(items) != len(texts):
            raise ValidationError(
                _("%(language)s sub-points: %(count)d given for %(expected)d sub-points; give one for each.")
                % {"language": code, "count": len(items), "expected": len(texts)}
            )
    wanted = []
    for index, text in enumerate(texts):
        values = {"text": _one_line(text)}
        values.update({f"text_{code}": _one_line(items[index]) or None for code, items in translations.items()})
        if values["text"]:  # a blank line is no point, and its translations go with it
            wanted.append(values)
    # English goes through the field itself, so that its original column holds English too (core.translated).
    with override(SOURCE_LANGUAGE):
        existing = list(issue.points.order_by("position", "id"))
        for position, values in enumerate(wanted, start=1):
            if position > len(existing):
                Issue.objects.create(
                    session_id=issue.session_id, parent=issue, kind=Issue.Kind.POINT, position=position, **values
                )
                continue
            point = existing[position - 1]
            if point.position != position or any(getattr(point, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(point, name, value)
                point.position = position
                point.save(update_fields=[*values, "text_en", "position"])
        for point in existing[len(wanted) :]:
            point.delete()


def _one_line(text):
    return " ".join((text or "").split())


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
    # English through the fields themselves, so that their original columns hold English too (core.translated).
    with override(SOURCE_LANGUAGE):
        by_slug = {}
        for item in organisations:
            organisation = Organisation.objects.filter(slug=item["slug"]).first() or Organisation(slug=item["slug"])
            by_slug[item["slug"]] = _save_if_changed(
                organisation,
                name=item["name"],
                kind=item.get("kind", Organisation.Kind.NGO),
                country=item.get("country", ""),
                website=item.get("website", ""),
                **given_translations(item, "name"),
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
                **given_translations(item, "position", "biography"),
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
