"""Writes on contributions: submission, the committee's review, the e-mails that follow, the demo data."""

import logging
import re
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _

from core.forum_time import forum_local
from core.permissions import ORGANISING_COMMITTEE
from core.programme_version import programme_changed
from roundtables.services import organiser_group_ensure

from .models import Contribution, GoodPractice

logger = logging.getLogger(__name__)

PRACTICE_FIELDS = ["country", "actors", "description", "lesson"]


def contribution_reviewers_ensure():
    """Give the organising committee's group every permission on contributions and good practices."""
    group = organiser_group_ensure()
    group.permissions.add(*Permission.objects.filter(content_type__app_label="contributions"))
    return group


# How many slugs a submission tries when parallel submissions with the same title take them first.
SLUG_ATTEMPTS = 10


def _unique_slug(title):
    """The first slug no contribution has yet: the title's, else the title's with -2, -3, …"""
    base = slugify(title)[:60].strip("-") or "contribution"
    taken = set(Contribution.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def _insert_with_unique_slug(contribution):
    """Insert a new contribution under the first free slug of its title.

    Parallel submissions with one title can all find the same slug free; the unique index lets one
    insert it and refuses the others. A refused insert is undone alone (a savepoint), and the
    submission takes the next free slug, a bounded number of times.
    """
    for _attempt in range(SLUG_ATTEMPTS):
        contribution.slug = _unique_slug(contribution.title)
        try:
            with transaction.atomic():
                contribution.save()
        except IntegrityError:
            if not Contribution.objects.filter(slug=contribution.slug).exists():
                raise  # another rule of the database broke, not the slug's uniqueness
        else:
            return contribution
    raise ValidationError(
        _("Many contributions with this title are being sent at this moment: please send yours again."),
        code="slug_race",
    )


# The receipt quotes the submitted title, which anyone can type, to an address anyone can type: it
# quotes at most this many characters, on one line, and none of what a mail reader would make a link.
MAIL_TITLE_MAX = 80
_LINK_LIKE = re.compile(r"://|@|^www\.|\w\.[^\W\d_]{2,}", re.IGNORECASE)


def mail_title(title):
    """``title`` as a receipt e-mail quotes it: control and invisible characters (line breaks,
    direction overrides) become spaces, spaces are collapsed, words that look like a web or e-mail
    address are replaced by “[link removed]”, and the whole is cut to MAIL_TITLE_MAX characters."""
    visible = "".join(" " if unicodedata.category(char).startswith(("C", "Z")) else char for char in title)
    words = [_("[link removed]") if _LINK_LIKE.search(word) else word for word in visible.split()]
    return Truncator(" ".join(words)).chars(MAIL_TITLE_MAX)


def _notify(contribution, kind, *, base_url=""):
    """E-mail the submitter once the transaction has committed; a mail failure never undoes the write."""
    if not contribution.contact_email:
        return

    def send():
        with translation.override(contribution.language):
            site = base_url.rstrip("/")
            context = {
                "contribution": contribution,
                "forum": contribution.forum,
                "title": mail_title(contribution.title),
                "forum_url": site + contribution.forum.get_absolute_url() if site else "",
                "public_url": site + contribution.get_absolute_url() if site else "",
            }
            subject = render_to_string(f"contributions/email/{kind}_subject.txt", context)
            body = render_to_string(f"contributions/email/{kind}_body.txt", context)
        try:
            send_mail(" ".join(subject.split()), body, None, [contribution.contact_email])
        except Exception:  # the record is saved; the committee can write by hand
            logger.exception("Could not send the %s e-mail for contribution %s", kind, contribution.pk)

    transaction.on_commit(send)


@transaction.atomic
def contribution_submit(
    *,
    forum,
    title,
    organisation_name,
    organisation_kind,
    summary,
    practices,
    language,
    roundtable=None,
    session=None,
    country="",
    contact_name="",
    contact_email="",
    recommendations="",
    themes=(),
    document=None,
    base_url="",
):
    """Record a contribution from the public form, pending review, and acknowledge it by e-mail.

    ``practices`` is a list of dicts with the keys country, actors, description and lesson. The
    acknowledgement links to the forum's page under ``base_url`` (the portal's address).
    """
    if session is not None and roundtable is None:
        roundtable = session.roundtable
    if not practices:
        raise ValidationError(_("Share at least one good practice."))
    contribution = Contribution(
        forum=forum,
        roundtable=roundtable,
        session=session,
        title=title,
        organisation_name=organisation_name,
        organisation_kind=organisation_kind,
        country=country,
        contact_name=contact_name,
        contact_email=contact_email,
        summary=summary,
        recommendations=recommendations,
        language=language,
        status=Contribution.Status.PENDING,
    )
    if document:
        contribution.document = document
    contribution.full_clean(exclude=["slug"])  # made and kept unique by _insert_with_unique_slug
    _insert_with_unique_slug(contribution)
    contribution.themes.set(themes)
    for position, item in enumerate(practices, start=1):
        practice = GoodPractice(contribution=contribution, position=position, **{k: item[k] for k in PRACTICE_FIELDS})
        practice.full_clean()
        practice.save()
    _notify(contribution, "received", base_url=base_url)
    _notify_committee(contribution, base_url=base_url)
    return contribution


def committee_addresses():
    """The e-mail addresses of the organising committee's active members, who review contributions."""
    addresses = (
        get_user_model()
        .objects.filter(groups__name=ORGANISING_COMMITTEE, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted(set(addresses))


def _notify_committee(contribution, *, base_url=""):
    """Tell the committee, once the transaction has committed, that a contribution waits for review: the
    forum and a link to its admin page, never a text the sender typed (anyone can send the form)."""

    def send():
        recipients = committee_addresses()
        if not recipients:
            logger.warning(
                "No committee member has an e-mail address: contribution %s was not announced.", contribution.pk
            )
            return
        with translation.override(settings.LANGUAGE_CODE):
            path = reverse("admin:contributions_contribution_change", args=[contribution.pk])
            context = {
                "contribution": contribution,
                "forum": contribution.forum,
                "review_url": base_url.rstrip("/") + path,
                "submitted_at": formats.date_format(
                    forum_local(contribution.submitted_at, contribution.forum), "j F Y, H:i"
                ),
            }
            subject = render_to_string("contributions/email/committee_new_subject.txt", context)
            body = render_to_string("contributions/email/committee_new_body.txt", context)
        try:
            send_mail(" ".join(subject.split()), body, None, recipients)
        except Exception:  # the contribution is saved and listed in the admin all the same
            logger.exception("Could not announce contribution %s to the committee", contribution.pk)

    transaction.on_commit(send)


def _locked(contribution):
    return Contribution.objects.select_for_update().select_related("forum").get(pk=contribution.pk)


@transaction.atomic
def contribution_approve(*, contribution, reviewer=None, base_url=""):
    """Publish a pending (or earlier rejected) contribution and tell its submitter where to find it."""
    contribution = _locked(contribution)
    if contribution.status == Contribution.Status.APPROVED:
        raise ValidationError(_("“%(title)s” is already approved.") % {"title": contribution.title})
    contribution.status = Contribution.Status.APPROVED
    contribution.rejection_reason = ""
    contribution.reviewed_at = timezone.now()
    contribution.reviewed_by = reviewer
    contribution.full_clean()
    contribution.save()
    programme_changed()  # it now shows on the public pages
    _notify(contribution, "approved", base_url=base_url)
    return contribution


@transaction.atomic
def contribution_reject(*, contribution, reason, reviewer=None):
    """Refuse (or withdraw from the public pages) a contribution, telling its submitter why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("Give the reason the submitter will be told."))
    contribution = _locked(contribution)
    if contribution.status == Contribution.Status.REJECTED:
        raise ValidationError(_("“%(title)s” is already rejected.") % {"title": contribution.title})
    was_public = contribution.status == Contribution.Status.APPROVED
    contribution.status = Contribution.Status.REJECTED
    contribution.rejection_reason = reason
    contribution.reviewed_at = timezone.now()
    contribution.reviewed_by = reviewer
    contribution.full_clean()
    contribution.save()
    if was_public:  # withdrawn from the public pages
        programme_changed()
    _notify(contribution, "rejected")
    return contribution


def _update(instance, **values):
    """Set the values that differ and save only then, so that loading twice changes nothing."""
    changed = [name for name, value in values.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, values[name])
    if changed or instance.pk is None:
        instance.full_clean()
        instance.save()
    return bool(changed)
