"""The programme's texts as a page shows them: in the page's language, or marked as English when they fall back.

A field without a text in the page's language shows its English one (``core.translated``). WCAG 3.1.2
(language of parts) asks the page to say so, so a screen reader reads it with English rules and a
browser hyphenates it as English: ``lang="en"`` on the element that holds the text, and nothing when
the text is in the page's language. ::

    {% load translated %}
    <h1{% lang_attr session "title" %}>{{ session.title }}</h1>     <h1 lang="en">…</h1> on /fr/, no French title
    <div class="prose"{% lang_attr session "background" %}>…</div>
    {% text theme "name" %}                                         <span lang="en">Circular migration</span>
    {% text previous "title" previous.title|truncatewords:8 %}      another form of the text, marked alike
    {% text roundtable "title" as title %}{% group_label forum roundtable.number title %}
    {% text_join forum "venue" "city" "country" %}                  Megaron, Athènes, <span lang="en">Greece</span>
    {% shown_lang issue "text" as issue_lang %}…<li{% lang_attr point "text" inside=issue_lang %}>
    {% if session|untranslated %}<p class="untranslated-note">…</p>{% endif %}

Put ``lang_attr`` on the element that holds the text (h1, a, p, li, the div of rendered Markdown) and
``text`` where there is none. Attributes (``title=``, ``alt=``, ``aria-label=``, ``<title>``, meta
content) take the plain ``{{ session.title }}``: they cannot carry markup.

``inside`` names the language of the enclosing element when it is not the page's (a contribution
written in Spanish, an issue shown in English around its French sub-points).

They read the columns the selectors fetched (``title_en``, ``title_fr``, ``title_es``) and never
query. A model or field that has no column per language is the page's language, so nothing is added.
"""

from django import template
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe

from core.translated import SOURCE_LANGUAGE, content_language, has_text, shown_language, translated_fields

register = template.Library()


def fallback_language(instance, field, inside=None):
    """The language of ``getattr(instance, field)`` when it is not ``inside`` (by default the page's, the
    active language), else None: "en" for a field that falls back to English on /fr/ and /es/.

    None too for no instance, and for a field with no column per language (written in one language only)."""
    if instance is None or field not in translated_fields(instance):
        return None
    around = content_language(inside)
    shown = shown_language(instance, field)
    return shown if shown != around else None


def is_untranslated(instance, fields=None, language=None):
    """Whether nothing of ``instance`` is written in ``language`` (the active one when None): none of
    ``fields`` (by default all its translated fields, for a session its title and background) has a text
    in that language, so the page shows it all in English. Never in English, the source language."""
    code = content_language(language)
    if instance is None or code == SOURCE_LANGUAGE:
        return False
    fields = translated_fields(instance) if fields is None else fields
    if not fields:
        return False
    return not any(has_text(instance, field, code) for field in fields)


@register.simple_tag
def shown_lang(instance, field):
    """The language ``instance.field`` is shown in on this page: the page's, or "en" on fallback."""
    if instance is None or field not in translated_fields(instance):
        return content_language()
    return shown_language(instance, field)


@register.simple_tag
def lang_attr(instance, field, inside=None):
    """`` lang="en"`` (leading space) for an element holding ``instance.field`` when it falls back to
    English, else nothing."""
    language = fallback_language(instance, field, inside)
    return format_html(' lang="{}"', language) if language else ""


@register.simple_tag
def text(instance, field, value=None, inside=None):
    """``instance.field`` (or ``value``, another form of it) escaped, inside ``<span lang="en">`` when it
    falls back to English. A ``value`` that is already HTML (a highlighted search result) stays as it is."""
    shown = getattr(instance, field, "") if value is None else value
    shown = conditional_escape("" if shown is None else shown)
    language = fallback_language(instance, field, inside)
    if language and shown:
        return format_html('<span lang="{}">{}</span>', language, shown)
    return mark_safe(shown)  # escaped above


@register.simple_tag
def text_join(instance, *fields, separator=", "):
    """The fields of ``instance`` that are not blank, each as ``{% text %}`` shows it, joined by ``separator``:
    a line such as the forum's place, whose parts may each be in another language."""
    values = ((field, str(getattr(instance, field, None) or "").strip()) for field in fields)
    parts = [text(instance, field, value) for field, value in values if value]
    return mark_safe(escape(separator).join(parts))  # each part escaped by text()


@register.filter
def untranslated(instance):
    """Whether the page shows ``instance`` wholly in English for want of a text in its language
    (``is_untranslated``): the cue for the "Not yet translated" marker."""
    return is_untranslated(instance)
