import zoneinfo
from contextlib import nullcontext
from urllib.parse import urlencode

import reversion
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import get_language, gettext, override
from django.utils.translation import gettext_lazy as _

from core.forum_time import forum_zone
from core.permissions import can_preview
from core.text import MARKDOWN_MAX_CHARS, length_constraint, validate_markdown
from core.translated import translation_length_constraints

# The longest texts, in characters, checked by the forms and by the database. Titles and names keep
# the sizes they always had; the Athens 2009 concept note's longest roundtable background has 2,256
# characters and its forum description 567.
NAME_MAX = 200
PLACE_MAX = 100  # a city, a country
ADDRESS_MAX = 300  # a venue's street address
MAP_URL_MAX = 500  # a link to a map of the venue
TITLE_MAX = 300
THEME_NAME_MAX = 100
FORUM_DESCRIPTION_MAX = 5_000  # a short description: a few paragraphs
THEME_DESCRIPTION_MAX = 2_000  # plain text, one paragraph
BACKGROUND_MAX = MARKDOWN_MAX_CHARS  # 20,000: about six printed pages
NAMING_MAX = 50  # a forum's word for its groups or sessions: “Roundtable”, “Theme”, “Working session”

# A forum's names for its groups of sessions and for its sessions (Forum.group_name…), one field per
# language of the site and form.
NAMING_LANGUAGES = ("en", "fr", "es")
NAMING_KINDS = ("group_name", "group_name_plural", "session_name", "session_name_plural")
NAMING_FIELDS = tuple(f"{kind}_{code}" for kind in NAMING_KINDS for code in NAMING_LANGUAGES)


def validate_time_zone(value):
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class ForumQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user):
        """What ``user`` may see: published forums; staff see drafts too (``core.permissions``)."""
        return self if can_preview(user) else self.published()


# History: a forum's versions include its rooms. Roundtables, sessions and documents keep their own
# history, so that restoring a forum never deletes a roundtable or a document added since.
@reversion.register(follow=["rooms"])
class Forum(models.Model):
    """One edition of the Civil Society Days, such as Athens 2009."""

    name = models.CharField(_("name"), max_length=NAME_MAX)
    slug = models.SlugField(
        _("slug"), max_length=80, unique=True, help_text=_("Used in web addresses, e.g. athens-2009.")
    )
    city = models.CharField(_("city"), max_length=PLACE_MAX)
    country = models.CharField(_("country"), max_length=PLACE_MAX)
    venue = models.CharField(_("venue"), max_length=NAME_MAX, blank=True)
    venue_address = models.CharField(
        _("venue address"),
        max_length=ADDRESS_MAX,
        blank=True,
        help_text=_("Street and number, as a map search finds it; the city and country are added."),
    )
    venue_map_url = models.URLField(
        _("venue map link"),
        max_length=MAP_URL_MAX,
        blank=True,
        help_text=_("A map of the venue. When empty, pages link to an OpenStreetMap search for the venue's address."),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Times of sessions are entered and shown in this time zone."),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status.choices,
        default=Status.DRAFT,
        help_text=_("Only published forums are visible to the public."),
    )
    description = models.TextField(
        _("short description"),
        blank=True,
        validators=[MaxLengthValidator(FORUM_DESCRIPTION_MAX), validate_markdown],
        help_text=_("Markdown."),
    )
    # What this forum calls its groups of sessions and its sessions, in each language (see group_name):
    # 2016 had “Themes” of “working sessions”. Empty means the interface's “Roundtable” and “Session”.
    group_name_en = models.CharField(_("group name (English)"), max_length=NAMING_MAX, blank=True)
    group_name_fr = models.CharField(_("group name (French)"), max_length=NAMING_MAX, blank=True)
    group_name_es = models.CharField(_("group name (Spanish)"), max_length=NAMING_MAX, blank=True)
    group_name_plural_en = models.CharField(_("group name, plural (English)"), max_length=NAMING_MAX, blank=True)
    group_name_plural_fr = models.CharField(_("group name, plural (French)"), max_length=NAMING_MAX, blank=True)
    group_name_plural_es = models.CharField(_("group name, plural (Spanish)"), max_length=NAMING_MAX, blank=True)
    session_name_en = models.CharField(_("session name (English)"), max_length=NAMING_MAX, blank=True)
    session_name_fr = models.CharField(_("session name (French)"), max_length=NAMING_MAX, blank=True)
    session_name_es = models.CharField(_("session name (Spanish)"), max_length=NAMING_MAX, blank=True)
    session_name_plural_en = models.CharField(_("session name, plural (English)"), max_length=NAMING_MAX, blank=True)
    session_name_plural_fr = models.CharField(_("session name, plural (French)"), max_length=NAMING_MAX, blank=True)
    session_name_plural_es = models.CharField(_("session name, plural (Spanish)"), max_length=NAMING_MAX, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ForumQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="forum_ends_on_or_after_start"),
            length_constraint("name", NAME_MAX, "forum_name_length"),
            length_constraint("city", PLACE_MAX, "forum_city_length"),
            length_constraint("country", PLACE_MAX, "forum_country_length"),
            length_constraint("venue", NAME_MAX, "forum_venue_length"),
            length_constraint("venue_address", ADDRESS_MAX, "forum_venue_address_length"),
            length_constraint("venue_map_url", MAP_URL_MAX, "forum_venue_map_url_length"),
            length_constraint("description", FORUM_DESCRIPTION_MAX, "forum_description_length"),
            # The same limits in each language's column of the translated texts (translation.py).
            *translation_length_constraints("forum", "name", NAME_MAX),
            *translation_length_constraints("forum", "city", PLACE_MAX),
            *translation_length_constraints("forum", "country", PLACE_MAX),
            *translation_length_constraints("forum", "venue", NAME_MAX),
            *translation_length_constraints("forum", "description", FORUM_DESCRIPTION_MAX),
            *(length_constraint(name, NAMING_MAX, f"forum_{name}_length") for name in NAMING_FIELDS),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("roundtables:forum", kwargs={"forum": self.slug})

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @property
    def zone(self):
        return forum_zone(self)

    @property
    def venue_place(self):
        """Where the forum takes place, as one line: venue, address, city, country (the ones given)."""
        parts = (self.venue, self.venue_address, self.city, self.country)
        return ", ".join(part.strip() for part in parts if part.strip())

    @property
    def venue_map_link(self):
        """The stored map link, or an OpenStreetMap search for the venue's address ("" without an address)."""
        if self.venue_map_url:
            return self.venue_map_url
        if not (self.venue.strip() or self.venue_address.strip()):
            return ""
        query = ", ".join(part.strip() for part in (self.venue_address, self.city, self.country) if part.strip())
        if not self.venue_address.strip():
            query = f"{self.venue.strip()}, {query}"
        return f"https://www.openstreetmap.org/search?{urlencode({'query': query})}"

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("The last day cannot be before the first day.")
        for prefix, message in [
            ("group_name", _("Name the groups in every language, singular and plural, or leave all six empty.")),
            ("session_name", _("Name the sessions in every language, singular and plural, or leave all six empty.")),
        ]:
            names = [f"{prefix}{plural}_{code}" for plural in ("", "_plural") for code in NAMING_LANGUAGES]
            missing = [name for name in names if not getattr(self, name).strip()]
            if missing and len(missing) < len(names):
                errors.update(dict.fromkeys(missing, message))
        if errors:
            raise ValidationError(errors)

    # A forum's names for its groups and sessions, in the active language (or ``language``). Pages,
    # PDFs, calendars and schedules name them through these methods (templates through the tags of
    # roundtables.templatetags.naming); the interface's own words for them stay as they are.

    def own_name(self, kind, language=None):
        """This forum's own word of ``kind`` (one of ``NAMING_KINDS``) in ``language`` (the active one when
        None), or "" when it keeps the interface's word."""
        code = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0]
        return getattr(self, f"{kind}_{code}", "").strip() if code in NAMING_LANGUAGES else ""

    def group_name(self, language=None):
        """“Roundtable” (translated) or this forum's own word, such as “Theme”."""
        with override(language) if language else nullcontext():
            return self.own_name("group_name", language) or gettext("Roundtable")

    def group_name_plural(self, language=None):
        """“Roundtables” (translated) or this forum's own word, such as “Themes”."""
        with override(language) if language else nullcontext():
            return self.own_name("group_name_plural", language) or gettext("Roundtables")

    def session_name(self, language=None):
        """“Session” (translated) or this forum's own word, such as “Working session”."""
        with override(language) if language else nullcontext():
            return self.own_name("session_name", language) or gettext("Session")

    def session_name_plural(self, language=None):
        """“Sessions” (translated) or this forum's own word, such as “Working sessions”."""
        with override(language) if language else nullcontext():
            return self.own_name("session_name_plural", language) or gettext("Sessions")

    def group_label(self, number, title=None, language=None):
        """“Roundtable 1” or “Theme 1”; with ``title``, “Roundtable 1: Title”."""
        with override(language) if language else nullcontext():
            name = self.own_name("group_name", language)
            if not name:
                if title is None:
                    return gettext("Roundtable %(number)s") % {"number": number}
                return gettext("Roundtable %(number)s: %(title)s") % {"number": number, "title": title}
            label = f"{name} {number}"
            if title is None:
                return label
            # Translators: a roundtable (or a forum's own word for it) and its number, then its title.
            return gettext("%(label)s: %(title)s") % {"label": label, "title": title}

    def session_label(self, code, title=None, language=None):
        """“Session 1.2” or “Working session 1.2”; with ``title``, “Session 1.2: Title”."""
        with override(language) if language else nullcontext():
            label = f"{self.session_name()} {code}"
            if title is None:
                return label
            if not self.own_name("session_name", language):
                return gettext("Session %(code)s: %(title)s") % {"code": code, "title": title}
            # Translators: a session (or a forum's own word for it) and its code, then its title.
            return gettext("%(label)s: %(title)s") % {"label": label, "title": title}


@reversion.register()
class Theme(models.Model):
    """A cross-cutting theme such as gender or remittances, shared by all forums."""

    name = models.CharField(_("name"), max_length=THEME_NAME_MAX, unique=True)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    description = models.TextField(_("description"), blank=True, validators=[MaxLengthValidator(THEME_DESCRIPTION_MAX)])

    class Meta:
        ordering = ["name"]
        verbose_name = _("cross-cutting theme")
        verbose_name_plural = _("cross-cutting themes")
        constraints = [
            length_constraint("name", THEME_NAME_MAX, "theme_name_length"),
            length_constraint("description", THEME_DESCRIPTION_MAX, "theme_description_length"),
            *translation_length_constraints("theme", "name", THEME_NAME_MAX),
            *translation_length_constraints("theme", "description", THEME_DESCRIPTION_MAX),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("roundtables:theme", kwargs={"slug": self.slug})


@reversion.register()
class Roundtable(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.PROTECT, related_name="roundtables", verbose_name=_("forum"))
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Roundtables are shown in this order; session codes start with it.")
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    slug = models.SlugField(_("slug"), max_length=80)
    background = models.TextField(
        _("background"),
        blank=True,
        validators=[MaxLengthValidator(BACKGROUND_MAX), validate_markdown],
        help_text=_("Markdown."),
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_roundtables",
        limit_choices_to={"is_staff": True},
        verbose_name=_("coordinators"),
        help_text=_(
            "Staff members who edit this roundtable's sessions, issues and participants; "
            "they see the rest of the programme read-only."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["forum", "number"]
        verbose_name = _("roundtable")
        verbose_name_plural = _("roundtables")
        constraints = [
            models.UniqueConstraint(fields=["forum", "number"], name="roundtable_number_unique_in_forum"),
            models.UniqueConstraint(fields=["forum", "slug"], name="roundtable_slug_unique_in_forum"),
            models.CheckConstraint(condition=Q(number__gte=1), name="roundtable_number_positive"),
            length_constraint("title", TITLE_MAX, "roundtable_title_length"),
            length_constraint("background", BACKGROUND_MAX, "roundtable_background_length"),
            *translation_length_constraints("roundtable", "title", TITLE_MAX),
            *translation_length_constraints("roundtable", "background", BACKGROUND_MAX),
        ]

    def __str__(self):
        return _("Roundtable %(number)s: %(title)s") % {"number": self.number, "title": self.title}

    def get_absolute_url(self):
        return reverse("roundtables:roundtable", kwargs={"forum": self.forum.slug, "slug": self.slug})


class ProgrammeStamp(models.Model):
    """One row whose version goes up on every change to the programme.

    Cached pages and PDFs carry the version they were made from, so every process and every
    server sees a change at once, whatever the cache backend.
    """

    version = models.PositiveBigIntegerField(_("version"), default=1)
    changed_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("programme version")
        default_permissions = ()

    def __str__(self):
        return f"v{self.version}"
