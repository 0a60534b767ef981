"""What each search result shows, made in Python rather than in the template: its link (``url``), the HTML
inside the link, the line under it and the language attributes of both, kind by kind.

``html`` then writes every result alike, whatever its kind, as the page's list items (one variable of the
template rather than a loop of its nodes). The texts go through the same functions as the pages' template
tags (``text``, ``group_label``; ``Links.lang_attr`` gives what ``lang_attr`` gives), so a result reads as
before. Links are made by ``Links``: one ``reverse()`` per kind of link and page, then the slugs or ids put
in its place.
"""

import re

from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from core.translated import content_language, shown_language, translated_fields
from roundtables.templatetags.naming import group_label
from roundtables.templatetags.translated import text

from .models import SearchEntry
from .search_results import escaped, formatted

Kind = SearchEntry.Kind
_SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
_DIGITS = re.compile(r"[0-9]+\Z")


class Links:
    """``reverse()`` for many records of one kind: the first link of a name is reversed with a marker for each
    argument, the others are that link with the markers replaced. A value a marker cannot stand for (one
    that would be quoted, or a link where a marker is not found once) is reversed as usual."""

    def __init__(self):
        self.patterns = {}
        self.made = {}
        self.language = content_language()  # the page's

    def lang_attr(self, obj, field):
        """What ``{% lang_attr obj field %}`` gives on this page (`` lang="en"`` for a text shown in English on
        /fr/ or /es/), with the page's language asked once for the page rather than twice for each text."""
        if obj is None or field not in translated_fields(obj):
            return ""
        shown = shown_language(obj, field, self.language)
        return formatted(' lang="{}"', shown) if shown != self.language else ""

    def once(self, key, make):
        """``make()``, made once per ``key`` for the page (a forum's name, a roundtable's label)."""
        if key not in self.made:
            self.made[key] = make()
        return self.made[key]

    def url(self, name, **kwargs):
        key = (name, tuple(kwargs))
        if key not in self.patterns:
            markers = {
                argument: ("9" * 12 + str(n)) if isinstance(value, int) else f"search-marker-{n}"
                for n, (argument, value) in enumerate(kwargs.items())
            }
            pattern = reverse(name, kwargs=markers)
            usable = all(pattern.count(marker) == 1 for marker in markers.values())
            self.patterns[key] = (pattern, markers) if usable else None
        found = self.patterns[key]
        values = {argument: str(value) for argument, value in kwargs.items()}
        if found is None or not all(
            (_DIGITS if isinstance(kwargs[argument], int) else _SLUG).match(value) for argument, value in values.items()
        ):
            return reverse(name, kwargs=kwargs)
        pattern, markers = found
        for argument, marker in markers.items():
            pattern = pattern.replace(marker, values[argument])
        return pattern


def _draft(is_draft):
    return formatted(' · <span class="badge">{}</span>', gettext("Draft")) if is_draft else ""


def _forum_name(links, forum):
    return links.once(("forum", forum.pk), lambda: text(forum, "name"))


_NUMBER = "\x00number\x00"


def _group_label(links, forum, number):
    """``group_label(forum, number)`` ("Roundtable 2"), the forum's label made once for the page with a marker
    where the number goes."""
    return links.once(("group", forum.pk), lambda: group_label(forum, _NUMBER)).replace(_NUMBER, str(number))


def _session_url(links, session):
    roundtable = session.roundtable
    return links.url("roundtables:session", forum=roundtable.forum.slug, roundtable=roundtable.slug, slug=session.slug)


def _session(links, obj, heading, snippet, is_draft, code_match):
    forum = obj.roundtable.forum
    code = formatted("<mark>{}</mark>", obj.code) if code_match else obj.code
    return {
        "url": _session_url(links, obj),
        "link_lang": links.lang_attr(obj, "title"),
        "link": formatted('<span class="code">{}</span> {}', code, heading),
        "meta": formatted(
            "{} · {}{}",
            _forum_name(links, forum),
            _group_label(links, forum, obj.roundtable.number),
            _draft(is_draft),
        ),
        "snippet_lang": links.lang_attr(obj, "background"),
    }


def _issue(links, obj, heading, snippet, is_draft, code_match):
    session = obj.session
    return {
        "url": f"{_session_url(links, session)}#issue-{obj.pk}",
        "link_lang": links.lang_attr(session, "title"),
        "link": formatted('<span class="code">{}</span> {}', session.code, session.title),
        "meta": formatted(
            "{} · {}{}", obj.get_kind_display(), _forum_name(links, session.roundtable.forum), _draft(is_draft)
        ),
        "snippet_lang": links.lang_attr(obj, "text"),
    }


def _roundtable(links, obj, heading, snippet, is_draft, code_match):
    forum = obj.forum
    return {
        "url": links.url("roundtables:roundtable", forum=forum.slug, slug=obj.slug),
        "link_lang": "",
        "link": group_label(forum, obj.number, text(obj, "title", heading)),
        "meta": formatted("{}{}", _forum_name(links, forum), _draft(is_draft)),
        "snippet_lang": links.lang_attr(obj, "background"),
    }


def _theme(links, obj, heading, snippet, is_draft, code_match):
    return {
        "url": links.url("roundtables:theme", slug=obj.slug),
        "link_lang": links.lang_attr(obj, "name"),
        "link": heading,
        "meta": "",
        "snippet_lang": links.lang_attr(obj, "description"),
    }


def _person(links, obj, heading, snippet, is_draft, code_match):
    meta = ""
    if obj.position or snippet:
        meta = formatted(
            "{}{}{}",
            text(obj, "position"),
            ", " if obj.position and snippet else "",
            text(obj.organisation, "name", snippet),
        )
    return {
        "url": links.url("sessions:person", slug=obj.slug),
        "link_lang": "",
        "link": heading,
        "meta": meta,  # with the snippet: the organisation's name
        "snippet_lang": "",
    }


def _document(links, obj, heading, snippet, is_draft, code_match):
    return {
        "url": links.url("sessions:document", pk=obj.pk),
        "link_lang": links.lang_attr(obj, "title"),
        "link": heading,
        "meta": formatted("{} · {}{}", obj.get_kind_display(), _forum_name(links, obj.forum), _draft(is_draft)),
        "snippet_lang": links.lang_attr(obj, "description"),
    }


def _contribution(links, obj, heading, snippet, is_draft, code_match):
    return {
        "url": links.url("contributions:detail", slug=obj.slug),
        "link_lang": "",
        "link": heading,
        "meta": formatted(
            "{} · {} · {}", obj.organisation_name, obj.get_organisation_kind_display(), _forum_name(links, obj.forum)
        ),
        "snippet_lang": "",
    }


def _room(links, obj, heading, snippet, is_draft, code_match):
    return {
        "link_lang": links.lang_attr(obj, "name"),
        "link": heading,
        "meta": formatted("{}{}", _forum_name(links, obj.forum), _draft(is_draft)),
        "snippet_lang": "",
    }


SHOWN = {
    Kind.SESSIONS: _session,
    Kind.ISSUES: _issue,
    Kind.ROUNDTABLES: _roundtable,
    Kind.THEMES: _theme,
    Kind.PEOPLE: _person,
    Kind.DOCUMENTS: _document,
    Kind.CONTRIBUTIONS: _contribution,
    Kind.ROOMS: _room,
}


def shown(kind, links, obj, *, heading, snippet, is_draft, code_match=False):
    """{field of ``Hit``: value} for ``obj`` of ``kind``: ``url`` (but for a room, whose link is its forum's
    programme in that room), ``link``, ``link_lang``, ``meta`` and ``snippet_lang``; HTML marked safe, every
    text in it escaped."""
    return SHOWN[kind](links, obj, heading, snippet, is_draft, code_match)


def html(kind, hits):
    """The results ``hits`` of ``kind`` as the page's list shows them, one ``<li>`` each, written here rather than
    by a loop of the template (the same HTML: every value escaped as the template escapes it)."""
    parts = []
    for hit in hits:
        meta = f'<p class="meta">{escaped(hit.meta)}</p>' if hit.meta else ""
        snippet = ""
        if hit.snippet and kind != Kind.PEOPLE:
            snippet = f'<p class="snippet"{escaped(hit.snippet_lang)}>{escaped(hit.snippet)}</p>'
        parts.append(
            f'\n    <li class="result">\n      <h3><a href="{escaped(hit.url)}"'
            f"{escaped(hit.link_lang)}>{escaped(hit.link)}</a></h3>\n"
            f"      {meta}\n      {snippet}\n    </li>\n    "
        )
    return SafeString("".join(parts))  # every value escaped above
