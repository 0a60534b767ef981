"""A programme PDF as data: what ``typst/programme.typ`` lays out, built from ``content.template_context``.

The layout never reads a programme text as Typst markup: every text goes into one JSON document,
passed to the compiler as ``sys.inputs.data``, and the Typst functions place its strings as text.
The words of the interface (headings, labels, the page footer, the preview note) are translated
here with Django's gettext, in the active language (the PDF's).

A text is a string, or a run ``{"t": text, "lang": "en"}`` when it falls back to English in a French
or Spanish PDF (so a screen reader reads it as English), or a list of those. A Markdown text
(backgrounds, issues, points) becomes blocks (``markdown_blocks``).
"""

import datetime

from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from core.forum_time import when_text
from core.text import MARKDOWN_MAX_CHARS, MAX_NESTING, markdown_nesting, markdown_tokens, plain_line
from roundtables.templatetags.naming import forum_phrase_text
from roundtables.templatetags.portal import date_range, local_time, room_label, shorten
from roundtables.templatetags.translated import fallback_language, is_untranslated

from .content import BOOKLET, ROUNDTABLE

LINK_SCHEMES = ("http://", "https://", "mailto:")  # the links the pages keep (core.text.sanitise_html)


# Texts -------------------------------------------------------------------------------------------


def field_text(instance, field, value=None, inside=None):
    """``instance.field`` (or ``value``, another form of it), as a run marked English when it falls back."""
    shown = str(getattr(instance, field, "") or "") if value is None else str(value)
    language = fallback_language(instance, field, inside)
    return {"t": shown, "lang": language} if language and shown else shown


def joined_text(instance, *fields, separator=", "):
    """The fields of ``instance`` that are not blank, each marked as ``field_text`` marks it, joined."""
    parts = []
    for name in fields:
        value = str(getattr(instance, name, None) or "").strip()
        if value:
            if parts:
                parts.append(separator)
            parts.append(field_text(instance, name, value))
    return parts


def _with_title(label, title):
    """``label`` (made with ``_TITLE`` where the title goes) as a list of runs with ``title`` in it."""
    before, _marker, after = label.partition(_TITLE)
    return [piece for piece in (before, title, after) if piece]


_TITLE = "\x00title\x00"


def group_label(forum, roundtable, *, title=True):
    """“Roundtable 1” or, with its title, “Roundtable 1: Title” (the title marked when it falls back)."""
    if not title:
        return forum.group_label(roundtable.number)
    return _with_title(forum.group_label(roundtable.number, _TITLE), field_text(roundtable, "title"))


def plain(text):
    """A text's string alone, its language marks dropped (the outline, the running header)."""
    if isinstance(text, str):
        return text
    if isinstance(text, dict):
        return text["t"]
    return "".join(plain(part) for part in text)


# Markdown ----------------------------------------------------------------------------------------


def _plain_blocks(text):
    """A text that is not shown as Markdown (too long, too deeply nested): its paragraphs as written."""
    return [
        {"k": "p", "c": [" ".join(paragraph.split())]} for paragraph in str(text).split("\n\n") if paragraph.strip()
    ]


def _inlines(children):
    """The inline tokens of one block as nested lists: strings, and {"k": strong|emph|link|code, ...}."""
    root = []
    stack = [root]
    for token in children:
        kind = token.type
        if kind in ("text", "code_inline"):
            if kind == "code_inline":
                stack[-1].append({"k": "code", "c": [token.content]})
            elif token.content:
                stack[-1].append(token.content)
        elif kind == "softbreak":
            stack[-1].append(" ")
        elif kind == "hardbreak":
            stack[-1].append({"k": "br"})
        elif kind in ("strong_open", "em_open", "link_open"):
            node = {"k": {"strong_open": "strong", "em_open": "emph", "link_open": "link"}[kind], "c": []}
            if kind == "link_open":
                href = str(token.attrGet("href") or "")
                node = node if href.startswith(LINK_SCHEMES) else {"k": "span", "c": []}
                if node["k"] == "link":
                    node["href"] = href
            stack[-1].append(node)
            stack.append(node["c"])
        elif kind in ("strong_close", "em_close", "link_close") and len(stack) > 1:
            stack.pop()
        # Images and raw HTML tags are left out, as on the pages.
    return root


def markdown_blocks(text):
    """A Markdown text as blocks the layout builds without reading any of it as markup.

    Blocks: {"k": "p", "c": inlines} (a heading of the text is a paragraph in bold, "b": true),
    {"k": "list", "ordered": bool, "start": n, "items": [[blocks], ...]}, {"k": "quote", "c": blocks}.
    Like ``core.text.markdown_html``, a text too long or too deeply nested keeps its paragraphs only, and a
    line with nothing Markdown reads as markup (``core.text.plain_line``: most issues and sub-points) is one
    paragraph of its own characters without going through the parser.
    """
    if not text:
        return []
    text = str(text)
    if len(text) > MARKDOWN_MAX_CHARS:
        return _plain_blocks(text)
    if plain_line(text):
        return [{"k": "p", "c": [text], "b": False}]
    return _parsed_blocks(text)


def _parsed_blocks(text):
    """``markdown_blocks`` of a text of at most ``MARKDOWN_MAX_CHARS``, through the parser."""
    depth, stopped = markdown_nesting(text)
    if depth > MAX_NESTING or stopped:
        return _plain_blocks(text)
    root = []
    stack = [root]  # the block lists being filled: the text's, a list item's, a quote's
    heading = False
    for token in markdown_tokens(text):
        kind = token.type
        if kind == "heading_open":
            heading = True
        elif kind == "heading_close":
            heading = False
        elif kind in ("bullet_list_open", "ordered_list_open"):
            start = token.attrGet("start")
            node = {"k": "list", "ordered": kind == "ordered_list_open", "start": int(start or 1), "items": []}
            stack[-1].append(node)
            stack.append(node["items"])
        elif kind == "list_item_open":
            item = []
            stack[-1].append(item)
            stack.append(item)
        elif kind == "blockquote_open":
            node = {"k": "quote", "c": []}
            stack[-1].append(node)
            stack.append(node["c"])
        elif kind in ("bullet_list_close", "ordered_list_close", "list_item_close", "blockquote_close"):
            if len(stack) > 1:
                stack.pop()
        elif kind == "inline":
            stack[-1].append({"k": "p", "c": _inlines(token.children or []), "b": heading})
        elif kind in ("code_block", "fence"):
            stack[-1].append({"k": "p", "c": [{"k": "code", "c": [token.content.rstrip("\n")]}]})
    return root


# The parts of a PDF ------------------------------------------------------------------------------


def _session(session, forum, *, level):
    """One session as its page in the PDF shows it: title, when and where, people, background, issues, papers."""
    when = (
        f"{when_text(session.starts_at, session.ends_at, forum, style='printed', empty='')} ({forum.time_zone})"
        if session.starts_at
        else _("Time to be announced")
    )
    if session.room:
        name = session.room.name
        room = [f"{_('Room')} " if room_label(name) != name else "", field_text(session.room, "name")]
    else:
        room = [f"{_('Room')} {_('To be announced')}"]
    issue_groups = []
    for heading, issues in session.issue_groups:
        items = []
        for issue in issues:
            issue_lang = fallback_language(issue, "text")
            items.append(
                {
                    "lang": issue_lang,
                    "c": markdown_blocks(issue.text),
                    "points": [
                        {
                            "lang": fallback_language(point, "text", inside=issue_lang),
                            "c": markdown_blocks(point.text),
                        }
                        for point in issue.pdf_points
                    ],
                }
            )
        issue_groups.append({"heading": str(heading), "issues": items})
    documents = []
    for document, for_roundtable, languages in session.pdf_documents:
        meta = [str(document.get_kind_display()), *([", ".join(map(str, languages))] if languages else [])]
        if for_roundtable:
            meta.append(
                _("for all the sessions of %(roundtable)s")
                % {"roundtable": group_label(forum, session.roundtable, title=False)}
            )
        documents.append({"title": field_text(document, "title"), "meta": f"({' · '.join(meta)})"})
    people = [
        {
            "role": str(role),
            "names": "; ".join(
                participation.person.name
                + (f" ({participation.person.organisation.name})" if participation.person.organisation else "")
                for participation in participations
            ),
        }
        for role, participations in session.people_by_role
    ]
    return {
        "id": f"session-{session.roundtable.number}-{session.number}",
        "level": level,
        "code": session.code,
        "title": field_text(session, "title"),
        "draft": not session.is_published,
        "untranslated": is_untranslated(session),
        "when": when,
        "room": room,
        "url": session.portal_url,
        "qr": str(getattr(session, "portal_qr", "") or ""),
        "themes": _joined([field_text(theme, "name") for theme in session.theme_list]),
        "people": people,
        "background": markdown_blocks(session.background),
        "background_lang": fallback_language(session, "background"),
        "issue_groups": issue_groups,
        "documents": documents,
    }


def _joined(texts, separator=", "):
    parts = []
    for text in texts:
        if parts:
            parts.append(separator)
        parts.append(text)
    return parts


def _roundtable(roundtable, forum, *, level, handout=False):
    label = group_label(forum, roundtable, title=False)
    return {
        "id": f"roundtable-{roundtable.number}",
        "label": label,
        "title": field_text(roundtable, "title"),
        "bookmark": plain(group_label(forum, roundtable)),
        "running": f"{label} · {shorten(roundtable.title, 60)}",
        "handout": handout,
        "background": markdown_blocks(roundtable.background),
        "background_lang": fallback_language(roundtable, "background"),
        "sessions": [_session(session, forum, level=level + 1) for session in roundtable.pdf_sessions],
        "empty": forum_phrase_text(forum, "no_group_session"),
    }


def _glance(context, forum):
    days = []
    for day in context["days"]:
        slots = []
        for slot in day["slots"]:
            items = []
            for session in slot["sessions"]:
                items.append(
                    {
                        "code": session.code if session.is_session else "",
                        "title": field_text(session, "title"),
                        "room": field_text(session.room, "name") if session.room else "",
                        "draft": not session.is_published,
                        "target": f"session-{session.roundtable.number}-{session.number}" if session.is_session else "",
                    }
                )
            starts = when_text(slot["starts_at"], slot["ends_at"], forum, style="times", empty="")
            slots.append({"heading": starts, "items": items})
        heading = date_format(day["date"], _("l j F Y")) if day["date"] else _("Not yet scheduled")
        days.append({"heading": heading, "slots": slots})
    return days


def _date(value):
    """A datetime as the PDF's metadata takes it: UTC, to the second."""
    value = value.astimezone(datetime.UTC)
    return [value.year, value.month, value.day, value.hour, value.minute, value.second]


def _footer_pieces():
    """The translated "Page {page} of {pages}" as pieces, so each language keeps its word order."""
    template = _("Page {page} of {pages}")
    pieces = []
    rest = template
    while rest:
        at = min((rest.find(mark) for mark in ("{page}", "{pages}") if mark in rest), default=-1)
        if at < 0:
            pieces.append(rest)
            break
        if at:
            pieces.append(rest[:at])
        mark = "{pages}" if rest.startswith("{pages}", at) else "{page}"
        pieces.append({"counter": mark.strip("{}")})
        rest = rest[at + len(mark) :]
    return pieces


def document_data(export, context):
    """The JSON document of ``export`` for ``typst/programme.typ``, from its ``template_context``, in the
    active language."""
    forum = context["forum"]
    preview_note = _("Preview with unpublished content, not for circulation") if export.preview else ""
    zone_note = _("All times are local time (%(zone)s).") % {"zone": forum.time_zone}
    if export.kind == BOOKLET:
        title = _("Programme: %(forum)s") % {"forum": forum.name}
        description = _(
            "The roundtable programme of the %(forum)s, %(city)s: sessions, times, rooms, people and themes."
        ) % {"forum": forum.name, "city": forum.city}
    elif export.kind == ROUNDTABLE:
        roundtable = context["roundtable"]
        title = f"{plain(group_label(forum, roundtable))} · {forum.name}"
        description = _("Handout of a roundtable of the %(forum)s: its background and its sessions.") % {
            "forum": forum.name
        }
    else:
        session = context["session"]
        title = f"{session.code} {session.title} · {forum.name}"
        description = _("Handout of a session of the %(forum)s: time, room, people, background and issues.") % {
            "forum": forum.name
        }
    data = {
        "kind": export.kind,
        "lang": export.language,
        "meta": {
            "title": title,
            "author": _("GFMD Civil Society Days organising committee"),
            "description": description,
            "keywords": ["GFMD", _("Civil Society Days"), forum.name, forum.city, *context["themes"]],
            "date": _date(context["created_at"]),
        },
        "labels": {
            "footer": _footer_pieces(),
            "preview": preview_note,
            "draft": _("Draft"),
            "untranslated": _("Not yet translated"),
            "themes": _("Cross-cutting themes"),
            "people": _("People"),
            "background": _("Background"),
            "documents": _("Documents"),
            "contents": _("Contents"),
            "glance": _("Programme at a glance"),
            "page": _("p."),
            "qr": _("QR code of this session's page"),
        },
        "forum": {"name": field_text(forum, "name"), "running": forum.name},
        "dates": date_range(forum.starts_on, forum.ends_on),
        "place": joined_text(forum, "venue", "city", "country"),
        "roundtables": [],
    }
    if export.kind == BOOKLET:
        as_of = local_time(context["programme_as_of"] or context["modified_at"], forum)
        data["cover"] = {
            "kicker": _("Global Forum on Migration and Development"),
            "subtitle": forum_phrase_text(forum, "booklet_subtitle"),
            "zone": zone_note,
            "as_of": _("Programme as of %(date)s.") % {"date": date_format(as_of, _("j F Y, H:i"))},
        }
        data["zone"] = zone_note
        data["glance"] = _glance(context, forum)
        data["roundtables"] = [_roundtable(roundtable, forum, level=1) for roundtable in context["roundtables"]]
    elif export.kind == ROUNDTABLE:
        data["handout"] = {"kind": forum_phrase_text(forum, "group_handout_kind")}
        data["roundtables"] = [_roundtable(context["roundtable"], forum, level=1, handout=True)]
    else:
        roundtable = context["roundtable"]
        label = group_label(forum, roundtable, title=False)
        data["handout"] = {
            "kind": forum_phrase_text(forum, "session_handout_kind"),
            "roundtable": group_label(forum, roundtable),
            "running": f"{label} · {shorten(roundtable.title, 60)}",
        }
        data["session"] = _session(context["session"], forum, level=1)
    return data
