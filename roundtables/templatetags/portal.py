"""Template filters that format values for the portal's pages. They never query."""

import functools
import textwrap
from typing import NamedTuple
from urllib.parse import unquote, urlsplit, urlunsplit

from django import template
from django.conf import settings
from django.templatetags.tz import do_timezone
from django.urls import (
    LocalePrefixPattern,
    NoReverseMatch,
    Resolver404,
    get_resolver,
    get_script_prefix,
    get_urlconf,
    resolve,
    reverse,
    translate_url,
)
from django.utils.dateformat import format as date_format
from django.utils.functional import Promise
from django.utils.translation import get_language, get_language_info, gettext, override

from core.forum_time import DATED, forum_zone, when_text
from core.site_urls import site_url
from core.text import markdown_html

register = template.Library()


@register.filter(name="markdown")
def render_markdown(text):
    """Render Markdown stored in the database as sanitised HTML (see core.text: never raises,
    and a text that cannot be rendered shows as escaped plain text)."""
    return markdown_html(text)


@register.filter
def local_time(value, zone):
    """A datetime in the forum's time zone (``zone`` is a tz name or a forum)."""
    if value is None:
        return None
    # do_timezone marks the result so that the date filter does not convert it back.
    return do_timezone(value, forum_zone(zone))


@register.simple_tag
def forum_when(starts_at, ends_at, forum, style=DATED, html=False):
    """``{% forum_when session.starts_at session.ends_at forum style="long" html=True %}``: when a session takes
    place, in the forum's time zone (see core.forum_time.when_text); nothing for a session not scheduled."""
    return when_text(starts_at, ends_at, forum, style=style, html=html, empty="")


@register.filter
def date_range(start, end=None):
    """The days from ``start`` to ``end`` as one range in the active language, the way a delegate writes
    them: "2–3 November 2009", "30 November – 2 December 2009", "30 December 2009 – 2 January 2010", or
    one day alone ("8 December 2016") when ``end`` is empty or the same day. Pages and PDFs use it alike.

    The formats are those of the pages (translated, so Spanish reads "2–3 de noviembre de 2009").
    Babel's CLDR intervals were tried and left aside: they abbreviate months in French, put the month
    first in English and put thin spaces around the dash, unlike the rest of the pages.
    """
    if not start:
        return ""
    # Translators: a date format of Django's “date” filter (j day, F month, Y year; a backslash escapes
    # a literal letter, as in \d\e).
    full = gettext("j F Y")
    if not end or end == start:
        return date_format(start, full)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{date_format(end, full)}"
    if start.year == end.year:
        # Translators: the first day of a range of days within one year, as in “30 November – 2 December
        # 2009”: a date format of Django's “date” filter (j day, F month; a backslash escapes a letter).
        day_and_month = gettext("j F")
        return f"{date_format(start, day_and_month)} – {date_format(end, full)}"
    return f"{date_format(start, full)} – {date_format(end, full)}"


@functools.cache
def _room_words():
    """The word "Room" in each of the site's languages, casefolded (worked out once per process)."""
    words = set()
    for code, _name in settings.LANGUAGES:
        with override(code):
            words.add(gettext("Room").casefold())
    return frozenset(words)


@register.filter
def room_label(name):
    """A room's name led by the word "Room" ("Room 12", "Salle 12"), unless the name already says it:
    "Room A" stays "Room A", never "Room Room A" (nor "Salle Room A")."""
    if not name:
        return ""
    words = _room_words()
    if any(word.casefold() in words for word in name.split()):
        return name
    return f"{gettext('Room')} {name}"


@register.filter
def shorten(text, width):
    """``text`` cut to at most ``width`` characters at a word boundary, with "…" where it was cut
    (``truncatechars`` cuts inside a word). Whitespace is collapsed; hyphens do not count as breaks."""
    text, width = str(text or ""), int(width)
    short = textwrap.shorten(text, width=width, placeholder="…", break_on_hyphens=False)
    if short == "…" and text.strip():  # a first word longer than ``width``: cut it
        short = text.strip()[: width - 1] + "…"
    return short


@register.simple_tag(name="site_url")
def site_url_tag(name):
    """``{% site_url "roundtables:home" %}``: what ``{% url "roundtables:home" %}`` gives, for a route without
    arguments, reversed once per process and language (``core.site_urls``)."""
    return site_url(name)


def _page_match(request):
    """How this page's address was resolved: the request's own match when it is for this path (no second
    resolving of the address), else the address resolved again; None when it resolves to nothing."""
    match = getattr(request, "resolver_match", None)
    if match is not None and request.path == request.path_info:
        return match
    try:
        return resolve(unquote(request.path))
    except Resolver404:
        return None


def _walk_patterns(patterns):
    for pattern in patterns:
        yield pattern
        yield from _walk_patterns(getattr(pattern, "url_patterns", ()))


@functools.lru_cache(maxsize=8)
def _prefix_only_differs(urlconf):
    """Whether an address of ``urlconf`` is the same in every language but for its language prefix: no route is
    translated, and every language, the default one too, has its prefix (``i18n_patterns``). Worked out once
    per process and URLconf."""
    for entry in _walk_patterns(get_resolver(urlconf).url_patterns):
        pattern = entry.pattern
        if isinstance(pattern, LocalePrefixPattern):
            if not pattern.prefix_default_language:
                return False
        elif isinstance(getattr(pattern, "_route", getattr(pattern, "_regex", "")), Promise):
            return False
    return True


def _translated_paths(request, match):
    """{code: this page's address (with its query string) in language ``code``}, as ``django.urls.translate_url``
    gives it, from the page's resolved match; the address itself where it has no version in ``code``.

    The page's own address is reversed once, in the page's language. Where addresses differ only by their
    language prefix (``_prefix_only_differs``), the others are that address with the prefix of their
    language; otherwise each is reversed in its language."""
    path = request.get_full_path()
    codes = [code for code, _name in settings.LANGUAGES]
    if match is None:
        return dict.fromkeys(codes, path)
    name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
    parsed = urlsplit(path)

    def with_query(url):
        return urlunsplit((parsed.scheme, parsed.netloc, url, parsed.query, parsed.fragment))

    current, script_prefix = get_language(), get_script_prefix()
    own_prefix = f"{script_prefix}{current}/"
    if current in codes and _prefix_only_differs(get_urlconf() or settings.ROOT_URLCONF):
        try:
            own = reverse(name, args=match.args, kwargs=match.kwargs)
        except NoReverseMatch:
            return dict.fromkeys(codes, path)
        if own.startswith(own_prefix):
            rest = own.removeprefix(own_prefix)
            return {code: with_query(f"{script_prefix}{code}/{rest}") for code in codes}
    paths = {}
    for code in codes:
        with override(code):
            try:
                paths[code] = with_query(reverse(name, args=match.args, kwargs=match.kwargs))
            except NoReverseMatch:
                paths[code] = path
    return paths


class LanguageVersions(NamedTuple):
    """What ``language_versions`` gives: ``all``, this page in each language, and ``x_default``, its address
    without a language prefix ("" when it has none)."""

    all: list
    x_default: str


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page in each of the site's languages, for the language links and the hreflang alternates, and the
    language-neutral address (x-default), worked out together: each address is reversed once at most.

    Each of ``all`` is {"code", "name", "url", "absolute_url", "is_current", "is_translation"}; an address
    that has no translation (such as an unknown page) leads to that language's home page instead.
    ``x_default`` is this page's address without its language prefix, which redirects to the visitor's
    language; "" when it has none.
    """
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    if request:
        paths = _translated_paths(request, _page_match(request))
    else:
        paths = {code: translate_url(path, code) for code, _name in settings.LANGUAGES}
    versions = []
    for code, _name in settings.LANGUAGES:
        url = paths[code]
        is_translation = code == current or url != path
        if not is_translation:
            with override(code):
                url = reverse("roundtables:home")
        versions.append(
            {
                "code": code,
                "name": get_language_info(code)["name_local"],
                "url": url,
                "absolute_url": request.build_absolute_uri(url) if request else url,
                "is_current": code == current,
                "is_translation": is_translation,
            }
        )
    return LanguageVersions(all=versions, x_default=_language_neutral_url(request, path, paths, current))


def _language_neutral_url(request, path, paths, current):
    if request is None:
        return ""
    url = paths.get(settings.LANGUAGE_CODE, path)
    prefix = f"/{settings.LANGUAGE_CODE}/"
    if not url.startswith(prefix) or (url == path and current != settings.LANGUAGE_CODE):
        return ""
    return request.build_absolute_uri("/" + url.removeprefix(prefix))
