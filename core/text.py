"""Text from the database as the portal shows it, and the limits that keep every text showable.

Backgrounds, biographies, descriptions and issues are written in Markdown (CommonMark, parsed by
markdown-it-py) and shown as sanitised HTML (nh3); search snippets and calendars take them as one
line of plain text. Pages, PDFs, search and calendars all go through this module, and nothing in it
raises on a stored text:

- a text longer than ``MARKDOWN_MAX_CHARS`` is never parsed;
- markdown-it-py does a bounded amount of work on any input: its parser stops going deeper at
  ``PARSER_NESTING`` (no recursion past it) and reads runs of brackets or emphasis in linear time;
- block quotes, lists and emphasis inside one another are counted in the sanitised HTML (raw
  HTML in the text included) before it is shown: deeper than ``MAX_NESTING`` levels, which no
  browser page or PDF layout needs, the text is shown as
  escaped plain text instead, and so is a text on which the renderer fails (both logged).

The admin refuses such texts before they are stored: ``validate_markdown`` on every Markdown field,
and a maximum length on every free text, checked by the forms (``MaxLengthValidator``) and by the
database (``length_constraint``).
"""

import html
import logging
import re
from html.parser import HTMLParser

import nh3
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.html import linebreaks
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, format_lazy
from django.utils.translation import gettext_lazy as _
from markdown_it import MarkdownIt

logger = logging.getLogger(__name__)

MAX_NESTING = 10  # block quotes, lists and emphasis inside one another; the Athens texts use 2
MARKDOWN_MAX_CHARS = 20_000  # the longest Markdown a field holds (a background); longer is never parsed
PARSER_NESTING = 40  # markdown-it-py's own bound: deep enough to see MAX_NESTING + 1 levels of lists

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "h3", "h4", "h5"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# Paragraphs and list items never nest by themselves (a paragraph holds no block, an item sits in
# its list): every other element counts as one level.
_UNCOUNTED_TAGS = {"p", "li", "br"}

# Raw HTML is read inline only (no HTML blocks): Markdown next to a tag at the start of a line still
# counts, and the sanitiser keeps none of the block tags such a block would hold.
_markdown = MarkdownIt("commonmark", {"maxNesting": PARSER_NESTING}).disable("html_block")


def sanitise_html(markup):
    """Only the tags and attributes of ``ALLOWED_TAGS``, links to web and mail addresses only."""
    return nh3.clean(
        markup,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


class _DepthCounter(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = self.deepest = 0

    def handle_starttag(self, tag, attrs):
        if tag not in _UNCOUNTED_TAGS:
            self.depth += 1
            self.deepest = max(self.deepest, self.depth)

    def handle_endtag(self, tag):
        if tag not in _UNCOUNTED_TAGS:
            self.depth = max(self.depth - 1, 0)


def html_nesting(markup):
    """How many levels of elements (block quotes, lists, emphasis, links…) ``markup`` nests inside one another."""
    counter = _DepthCounter()
    counter.feed(markup)
    counter.close()
    return counter.deepest


# One line that Markdown reads as a paragraph of exactly its own characters: none of the characters
# Markdown or HTML treat as markup (nor the ones the sanitiser writes as entities, nor control
# characters or line breaks), no space at either end (four would start code), and no start of a
# list item. Most issues, sub-points, titles and names are such lines; they skip the parser.
_PLAIN_LINE = re.compile(r"[^\x00-\x1f\x7f-\xa0*_`#>\[\]<&\\!|~=]+")
_LIST_START = re.compile(r"[-+]|\d+[.)]")


def plain_line(text):
    """Whether Markdown shows ``text`` as one paragraph of its own characters (see ``_PLAIN_LINE``)."""
    return bool(_PLAIN_LINE.fullmatch(text)) and text == text.strip() and not _LIST_START.match(text)


def _render(text):
    """(sanitised HTML or None, nesting levels, whether the parser stopped short) for a Markdown text.

    The HTML is None when the text cannot be shown as Markdown. Nothing is kept between calls: a
    page made for a request renders its texts for that request.
    """
    if len(text) > MARKDOWN_MAX_CHARS:
        logger.warning(
            "A text of %d characters is shown as plain text: Markdown stops at %d.", len(text), MARKDOWN_MAX_CHARS
        )
        return None, 0, False
    if plain_line(text):
        return f"<p>{text}</p>", 0, False
    return _render_parsed(text)


def _render_parsed(text):
    """``_render`` through the parser and the sanitiser, for a text of at most ``MARKDOWN_MAX_CHARS``."""
    try:
        tokens = _markdown.parse(text)
        stopped = any(token.level >= PARSER_NESTING - 1 for token in tokens)
        markup = sanitise_html(_markdown.renderer.render(tokens, _markdown.options, {}))
        depth = html_nesting(markup)
    except Exception:
        logger.exception("A text is shown as plain text: Markdown failed on it (%d characters).", len(text))
        return None, 0, False
    if depth > MAX_NESTING or stopped:
        logger.warning(
            "A text is shown as plain text: it nests %d levels deep, at most %d are shown.", depth, MAX_NESTING
        )
        return None, depth, stopped
    return markup.strip(), depth, stopped


# Markdown whose elements the pages leave out (the sanitiser keeps only ALLOWED_TAGS), in the
# organiser's terms. ``dropped_markup`` reports them, and raw HTML tags as written.
_OTHER_HEADINGS = _("headings other than ###, #### and #####")
DROPPED_MARKDOWN = {
    "img": _("images (![…](…))"),
    "h1": _OTHER_HEADINGS,
    "h2": _OTHER_HEADINGS,
    "h6": _OTHER_HEADINGS,
    "hr": _("horizontal rules (---)"),
}
_TAG_NAME = re.compile(r"<\s*([A-Za-z][A-Za-z0-9-]*)")


def _dropped_tag(token):
    """What ``token`` (a Markdown token) puts on the page that the sanitiser removes, or None."""
    if token.type == "html_inline":
        content = token.content
        if content.startswith("<!--"):
            return "<!-- -->"
        if content.startswith("</"):
            return None  # its opening tag is reported
        match = _TAG_NAME.match(content)
        if match is None:
            return content[:20]  # <?…?>, <!DOCTYPE …>, <![CDATA[…]]>: never shown
        name = match.group(1).lower()
        return None if name in ALLOWED_TAGS else f"<{name}>"
    if token.nesting >= 0 and token.tag in DROPPED_MARKDOWN:
        return DROPPED_MARKDOWN[token.tag]
    return None


def dropped_markup(text):
    """What of a Markdown text the pages will not show as it was written, in order, each once: the raw
    HTML tags the sanitiser removes (“<b>”, “<script>”, “<!-- -->”) and the Markdown whose elements
    the pages leave out (images, headings # and ##, horizontal rules).

    Cheap enough for every save in the admin: one parse, no rendering. A text the pages show as plain
    text (too long, too deeply nested) reports nothing here; ``validate_markdown`` and the length
    limit refuse those.
    """
    if not text or len(text) > MARKDOWN_MAX_CHARS:
        return []
    try:
        tokens = _markdown.parse(str(text))
    except Exception:
        return []
    dropped = []
    for token in tokens:
        for part in [token, *(token.children or [])]:
            item = _dropped_tag(part)
            if item is not None and item not in dropped:
                dropped.append(item)
    return dropped


def plain_html(text):
    """``text`` escaped, its paragraphs and line breaks kept: how a text that cannot be rendered is shown."""
    return mark_safe(linebreaks(str(text), autoescape=True))  # escaped by linebreaks


def markdown_html(text):
    """Markdown stored in the database as sanitised HTML: no raw HTML from the database survives.

    Never raises: a text that is too long, too deeply nested or that the renderer fails on is
    shown as escaped plain text.
    """
    if not text:
        return ""
    text = str(text)
    markup = _render(text)[0]
    if markup is None:
        return plain_html(text)
    return mark_safe(markup)  # sanitised by nh3 in _render (or free of markup)


def markdown_tokens(text):
    """The tokens of a Markdown text, parsed as the pages parse it (no HTML blocks, nesting bounded): for
    a layout that builds the text itself (the programme PDFs). Check ``markdown_nesting`` first."""
    return _markdown.parse(str(text))


def markdown_plain(text):
    """Markdown stored in the database as one line of plain text (not escaped: escape it where it is shown)."""
    if not text:
        return ""
    text = str(text)
    if plain_line(text):
        return " ".join(text.split())
    markup = _render(text)[0]
    if markup is not None:
        text = html.unescape(nh3.clean(markup, tags=set()))
    return " ".join(text.split())


def markdown_nesting(text):
    """How many levels deep ``text`` nests block quotes, lists and emphasis, and whether it may go deeper still."""
    _markup, depth, stopped = _render(str(text))
    return depth, stopped


def validate_markdown(value):
    """Refuse a Markdown text that could not be shown as Markdown: nested more than ``MAX_NESTING`` levels deep.

    A text longer than ``MARKDOWN_MAX_CHARS`` is left to the field's length limit, which reports it.
    """
    if not value or len(value) > MARKDOWN_MAX_CHARS:
        return
    depth, stopped = markdown_nesting(value)
    if stopped:
        message = _(
            "This text nests block quotes, lists or emphasis more than %(depth)d levels deep; "
            "at most %(limit)d are allowed."
        )
    elif depth > MAX_NESTING:
        message = _(
            "This text nests block quotes, lists or emphasis %(depth)d levels deep; at most %(limit)d are allowed."
        )
    else:
        return
    raise ValidationError(message, code="nesting", params={"depth": depth, "limit": MAX_NESTING})


def length_constraint(field, limit, name):
    """A named database check that ``field`` holds at most ``limit`` characters.

    Django's ``max_length`` bounds a TextField only in forms, and a CharField only on databases that
    check their column sizes (PostgreSQL, not SQLite): this bounds both, everywhere, for imports,
    scripts and ``update()`` too.
    """
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), limit),
        name=name,
        violation_error_message=_("This text is too long."),
    )


def drop_maxlength(fields):
    """Take the HTML ``maxlength`` off these form fields' inputs.

    A browser cuts a longer text short there, a pasted one too, without a word; the form's own
    length check instead refuses it with a message and gives the whole text back to shorten.
    """
    for field in fields:
        field.widget.attrs.pop("maxlength", None)


MARKDOWN_HELP = _("Markdown: **bold**, *italic*, lists, links; HTML is not shown.")


def mark_markdown(formfield, help_text=None):
    """Mark a form field as holding Markdown: it says which Markdown is allowed, and its saves are checked
    for markup that will not show (``MarkdownWarningAdminMixin``)."""
    formfield.markdown = True
    formfield.help_text = format_lazy("{} {}", help_text, MARKDOWN_HELP) if help_text else MARKDOWN_HELP
    return formfield


class WholeTextAdminMixin:
    """An admin page or inline whose inputs take a text of any length and refuse a too long one with a message.

    Slugs keep their ``maxlength``: the admin's script that fills a slug in from a title reads it in
    rows added with "Add another" and cuts the slug there, so that a long title still gives a slug that
    fits. Its Markdown fields (those checked by ``validate_markdown``) say which Markdown the pages show.
    """

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None:
            if not isinstance(db_field, models.SlugField):
                drop_maxlength([formfield])
            if validate_markdown in getattr(db_field, "validators", []):
                mark_markdown(formfield)
        return formfield


def _field_label(form, name, field):
    """How a warning names a form's field: a translated text's column as history does ("Background" for the
    English one, "Background (French)"), any other field by its label."""
    from core.versions import translation_label  # core.versions reads core.translated, which imports this module

    model = getattr(getattr(form, "_meta", None), "model", None)
    return (translation_label(model, name) if model is not None else None) or field.label


class MarkdownWarningAdminMixin:
    """After a save, warn when a Markdown text typed in the form or its inlines holds markup the pages will
    not show (``dropped_markup``). The text is saved as typed: the warning only says what will be left out."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        found = self._dropped_in_form(form, None)
        for formset in formsets:
            for inline_form in formset.forms:
                if inline_form.has_changed() and not formset._should_delete_form(inline_form):
                    found += self._dropped_in_form(inline_form, inline_form.instance)
        if found:
            self.message_user(
                request,
                _("Some of what was typed will not show on the page: %(found)s. It was saved as typed. %(help)s")
                % {"found": "; ".join(found), "help": MARKDOWN_HELP},
                messages.WARNING,
            )

    @staticmethod
    def _dropped_in_form(form, record):
        found = []
        for name in form.changed_data:
            field = form.fields.get(name)
            if not getattr(field, "markdown", False):
                continue
            dropped = dropped_markup(form.cleaned_data.get(name))
            if not dropped:
                continue
            label = _field_label(form, name, field)
            where = capfirst(label)
            if record is not None:
                where = _("%(record)s “%(name)s”, %(field)s") % {
                    "record": capfirst(record._meta.verbose_name),
                    "name": record,
                    "field": label,
                }
            found.append(f"{where}: {', '.join(str(item) for item in dropped)}")
        return found
