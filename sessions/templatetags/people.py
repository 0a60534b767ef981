"""``{% person_role_card item forum %}`` and ``{% session_person participation %}``: a session on a person's
page, and a person on a session's page.

They are formatted here in one pass rather than by a dozen template nodes each (a busy person's page lists
dozens of sessions), with the same bytes the template wrote. They format what the selectors fetched and
never query. Values from the database go through ``html.escape`` (quotes included, as the template's
autoescaping does); a text shown in English for want of one in the page's language gets ``lang="en"``
(``{% lang_attr %}`` and ``{% text %}``).
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from core.forum_time import LONG, when_text
from core.translated import SOURCE_LANGUAGE, content_language, translated_fields
from roundtables.templatetags.translated import fallback_language, text

register = template.Library()


class _Formatter:
    """What the items of one page share, worked out once per page (it lives in the render context)."""

    def __init__(self):
        self.session_urls = {}  # forum slug: the address of its sessions, with markers for the slugs
        self.person_url = reverse("sessions:person", kwargs={"slug": "PERSONSLUG"})
        self.organisation_url = reverse("roundtables:organisation", kwargs={"slug": "ORGSLUG"})
        self.unscheduled = gettext("Time to be announced")
        self.draft = gettext("Draft")
        self.language = content_language()  # the page's

    def shown(self, instance, field):
        """``getattr(instance, field)`` escaped, and `` lang="en"`` when it falls back to English on this page
        (as ``{% text %}`` and ``{% lang_attr %}`` mark it), else ""."""
        value = getattr(instance, field)
        shown = escape(str("" if value is None else value))
        if field not in translated_fields(instance) or self.language == SOURCE_LANGUAGE:
            return shown, ""
        if getattr(instance, f"{field}_{self.language}"):  # a text in the page's language
            return shown, ""
        return shown, f' lang="{SOURCE_LANGUAGE}"'

    def session_url(self, session):
        forum_slug = session.roundtable.forum.slug
        pattern = self.session_urls.get(forum_slug)
        if pattern is None:
            pattern = self.session_urls[forum_slug] = reverse(
                "roundtables:session", kwargs={"forum": forum_slug, "roundtable": "RTSLUG", "slug": "SESSLUG"}
            )
        return escape(pattern.replace("RTSLUG", session.roundtable.slug).replace("SESSLUG", session.slug))


def _formatter(context):
    formatter = context.render_context.get(_Formatter)
    if formatter is None:
        formatter = context.render_context[_Formatter] = _Formatter()
    return formatter


def _lang(instance, field):
    language = fallback_language(instance, field)
    return f' lang="{escape(language)}"' if language else ""


@register.simple_tag(takes_context=True)
def person_role_card(context, item, forum):
    """A session of a person's page (``sessions.selectors.SessionRoles``) in ``forum``: their roles, the
    session's code and title, when and where, and whether it is a draft."""
    formatter = _formatter(context)
    session = item.session
    roles = ", ".join(escape(str(name)) for name in item.role_names)
    if session.starts_at:
        when = when_text(session.starts_at, session.ends_at, forum, style=LONG, html=True, empty="")
    else:
        when = formatter.unscheduled
    room = ""
    if session.room:
        name, lang = formatter.shown(session.room, "name")
        room = f" · <span{lang}>{name}</span>" if lang and name else f" · {name}"
    is_draft = not (session.is_published and forum.is_published)
    draft = f' · <span class="badge">{formatter.draft}</span>' if is_draft else ""
    title, title_lang = formatter.shown(session, "title")
    return mark_safe(
        '<li class="card person-session">\n'
        f'        <p class="meta person-roles">{roles}</p>\n'
        f'        <h4><a href="{formatter.session_url(session)}"{title_lang}>'
        f'<span class="code">{escape(session.code)}</span> {title}</a></h4>\n'
        f'        <p class="meta">{when}{room}{draft}</p>\n'
        "      </li>"
    )  # every value escaped above; when_text gives a safe string


@register.simple_tag(takes_context=True)
def session_person(context, participation):
    """A person of a session's page: their name, linked to their page, then their position and organisation."""
    formatter = _formatter(context)
    person = participation.person
    url = escape(formatter.person_url.replace("PERSONSLUG", person.slug))
    line = f'<dd><a href="{url}">{escape(str(person.name))}</a>'
    position, organisation = person.position, person.organisation
    if position or organisation:
        line += f' <span class="person-affiliation">{text(person, "position")}'
        if position and organisation:
            line += ", "
        if organisation:
            organisation_url = escape(formatter.organisation_url.replace("ORGSLUG", organisation.slug))
            line += f'<a href="{organisation_url}"{_lang(organisation, "name")}>{escape(str(organisation.name))}</a>'
        line += "</span>"
    return mark_safe(line + "</dd>")  # every value escaped above; text() gives a safe string
