"""A forum's own names for its roundtables and sessions, in the active language (see ``Forum.group_name``).

2016 had “Themes” of “working sessions”: every page, PDF and calendar names a forum's groups and
sessions through these tags, never with the interface's words “Roundtable” and “Session” written
into a template. They read the forum row only, so they never query. ::

    {% load naming %}
    {% group_name forum %} · {% group_name forum plural=True %}          Theme · Themes
    {% group_label forum roundtable.number %}                            Theme 1
    {% group_label forum roundtable.number roundtable.title %}           Theme 1: Protection
    {% session_name forum plural=True %} · {% session_label forum session.code %}
    {% forum_phrase forum "group_handout" %}                             Theme handout (PDF)
"""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

register = template.Library()

# Phrases that name a forum's groups or sessions: the interface's wording when the forum keeps
# “Roundtable” and “Session” (so its translations stay as they were), else one built on the forum's
# own names (%(group)s, %(groups)s, %(session)s, %(sessions)s, in the active language).
PHRASES = {
    "group_handout": ("group_name", _("Roundtable handout (PDF)"), _("%(group)s handout (PDF)")),
    "session_handout": ("session_name", _("Session handout (PDF)"), _("%(session)s handout (PDF)")),
    "group_handout_kind": ("group_name", _("Roundtable handout"), _("%(group)s handout")),
    "session_handout_kind": ("session_name", _("Session handout"), _("%(session)s handout")),
    "no_group_session": (
        "session_name",
        _("No session of this roundtable has been published yet."),
        _("%(sessions)s: none published yet."),
    ),
    "no_groups": ("group_name", _("The roundtables have not been announced yet."), _("%(groups)s: to be announced.")),
    "booklet_subtitle": ("group_name", _("Programme of the roundtables"), _("Programme: %(groups)s")),
}


def forum_phrase_text(forum, key):
    """The phrase ``key`` of ``PHRASES`` for ``forum`` in the active language."""
    kind, default, custom = PHRASES[key]
    if not forum.own_name(kind):
        return str(default)
    return str(custom) % {
        "group": forum.group_name(),
        "groups": forum.group_name_plural(),
        "session": forum.session_name(),
        "sessions": forum.session_name_plural(),
    }


def session_count_text(forum, count):
    """“3 sessions” or, in a forum with its own name for them, “3 working sessions”."""
    if not forum.own_name("session_name"):
        return ngettext("%(counter)s session", "%(counter)s sessions", count) % {"counter": count}
    # Translators: a number of sessions, named as the forum names them (“3 working sessions”): keep both
    # placeholders; %(singular)s and %(plural)s are the forum's words for one session and for several.
    text = ngettext("%(count)s %(singular)s", "%(count)s %(plural)s", count)
    return text % {
        "count": count,
        "singular": _within_sentence(forum.session_name()),
        "plural": _within_sentence(forum.session_name_plural()),
    }


def _within_sentence(name):
    """A name as it reads after a number: “Working sessions” as “working sessions” (an acronym stays)."""
    if name[1:2].isupper():
        return name
    return name[:1].lower() + name[1:]


@register.simple_tag
def group_name(forum, plural=False):
    return forum.group_name_plural() if plural else forum.group_name()


@register.simple_tag
def session_name(forum, plural=False):
    return forum.session_name_plural() if plural else forum.session_name()


def _with_title(label, title):
    """``label`` (made with a marker where the title goes) with ``title`` in it, both escaped, except a
    title that is already HTML (a search result's highlighted title)."""
    if title is None:
        return label
    before, _marker, after = label.partition(_TITLE)
    return format_html("{}{}{}", before, title, after)


_TITLE = "\x00title\x00"


@register.simple_tag
def group_label(forum, number, title=None):
    return _with_title(forum.group_label(number, None if title is None else _TITLE), title)


@register.simple_tag
def session_label(forum, code, title=None):
    return _with_title(forum.session_label(code, None if title is None else _TITLE), title)


@register.simple_tag
def session_count(forum, count):
    return session_count_text(forum, count)


@register.simple_tag
def forum_phrase(forum, key):
    return forum_phrase_text(forum, key)
