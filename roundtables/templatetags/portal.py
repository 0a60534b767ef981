"""Template filters that format values for the portal's pages. They never query."""

import zoneinfo

import markdown as markdown_lib
import nh3
from django import template
from django.templatetags.tz import do_timezone
from django.utils.safestring import mark_safe

register = template.Library()

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "h3", "h4", "h5"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@register.filter(name="markdown")
def render_markdown(text):
    """Render Markdown stored in the database as sanitised HTML: no raw HTML from the database survives."""
    if not text:
        return ""
    html = markdown_lib.markdown(text, extensions=["sane_lists"], output_format="html")
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)


@register.filter
def local_time(value, zone):
    """A datetime in the forum's time zone (``zone`` is a tz name or a forum)."""
    if value is None:
        return None
    name = getattr(zone, "time_zone", zone)
    # do_timezone marks the result so that the date filter does not convert it back.
    return do_timezone(value, zoneinfo.ZoneInfo(name))
