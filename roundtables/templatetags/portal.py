"""Template filters that format values for the portal's pages. They never query."""

import zoneinfo

from django import template
from django.conf import settings
from django.templatetags.tz import do_timezone
from django.urls import reverse, translate_url
from django.utils.translation import get_language, get_language_info, override

from gfmd_portal.text import markdown_html

register = template.Library()


@register.filter(name="markdown")
def render_markdown(text):
    """Render Markdown stored in the database as sanitised HTML (see gfmd_portal.text: never raises,
    and a text that cannot be rendered shows as escaped plain text)."""
    return markdown_html(text)


@register.filter
def local_time(value, zone):
    """A datetime in the forum's time zone (``zone`` is a tz name or a forum)."""
    if value is None:
        return None
    name = getattr(zone, "time_zone", zone)
    # do_timezone marks the result so that the date filter does not convert it back.
    return do_timezone(value, zoneinfo.ZoneInfo(name))


@register.simple_tag(takes_context=True)
def language_versions(context):
    """This page in each of the site's languages, for the language links and the hreflang alternates.

    Each is {"code", "name", "url", "absolute_url", "is_current", "is_translation"}; an address that
    has no translation (such as an unknown page) leads to that language's home page instead.
    """
    request = context.get("request")
    path = request.get_full_path() if request else "/"
    current = get_language()
    versions = []
    for code, _name in settings.LANGUAGES:
        url = translate_url(path, code)
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
    return versions


@register.simple_tag(takes_context=True)
def language_neutral_url(context):
    """This page's address without its language prefix, which redirects to the visitor's language (x-default)."""
    request = context.get("request")
    if request is None:
        return ""
    path = request.get_full_path()
    url = translate_url(path, settings.LANGUAGE_CODE)
    prefix = f"/{settings.LANGUAGE_CODE}/"
    if not url.startswith(prefix) or (url == path and get_language() != settings.LANGUAGE_CODE):
        return ""
    return request.build_absolute_uri("/" + url.removeprefix(prefix))
