"""``{% session_card session %}``: the card a session gets in programme, roundtable and theme lists.

Lists can hold hundreds of sessions, so the card is formatted here in one pass rather than by an
included template per card (about 1.5 ms a card, most of a 300-session programme's time). It
formats what ``sessions.listings.sessions_for_cards`` fetched and never queries. Every value
from the database goes through ``html.escape`` (quotes included). A title, room or forum name shown
in English for want of a text in the page's language gets ``lang="en"`` (``{% lang_attr %}``).
"""

from html import escape

from django import template
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from core.forum_time import SHORT, when_text
from core.site_urls import site_url
from roundtables.models import Status
from roundtables.templatetags.translated import fallback_language
from sessions.agenda import star_form_html, star_labels
from sessions.models import Participation, Session

register = template.Library()


class _CardFormatter:
    """What every card of one page shares, worked out once per page and language."""

    def __init__(self, request):
        self.roles = {value: escape(str(label)) for value, label in Participation.Role.choices}
        self.kinds = {value: escape(str(label)) for value, label in Session.Kind.choices}
        self.star_labels = star_labels()
        self.toggle_url = site_url("sessions:agenda-toggle")
        self.path = request.get_full_path() if request is not None else ""
        self.draft = escape(gettext("Draft"))
        self.url_patterns = {}
        self.roundtable_labels = {}
        self.times = {}

    def url(self, session):
        forum_slug = session.roundtable.forum.slug
        pattern = self.url_patterns.get(forum_slug)
        if pattern is None:
            # Reverse once per forum with markers, then put in each session's slugs.
            pattern = self.url_patterns[forum_slug] = reverse(
                "roundtables:session", kwargs={"forum": forum_slug, "roundtable": "RTSLUG", "slug": "SESSLUG"}
            )
        return escape(pattern.replace("RTSLUG", session.roundtable.slug).replace("SESSLUG", session.slug))

    def when(self, session):
        if session.starts_at is None:
            return ""
        zone = session.roundtable.forum.time_zone
        key = (session.starts_at, session.ends_at, zone)
        text = self.times.get(key)
        if text is None:  # sessions in one slot share it
            when = when_text(session.starts_at, session.ends_at, zone, style=SHORT, html=True)
            text = self.times[key] = f' · <span class="card-when">{when}</span>'
        return text

    @staticmethod
    def lang(instance, field):
        """`` lang="en"`` when ``instance.field`` falls back to English on this page, else ""."""
        language = fallback_language(instance, field)
        return f' lang="{language}"' if language else ""

    def people(self, session):
        if not session.people:
            return ""
        roles = self.roles
        items = ", ".join(
            f"<span>{escape(name)} <small>({roles.get(role, '')})</small></span>" for name, role in session.people
        )
        return f'<p class="people">{items}</p>'

    def star_form(self, session):
        return star_form_html(
            session_id=session.pk,
            code=session.code,
            action_url=self.toggle_url,
            back_to=self.path,
            labels=self.star_labels,
        )

    def card(self, session, level, show_forum, show_time=True):
        roundtable = session.roundtable
        meta = ""
        if show_forum:
            meta = f"<span{self.lang(roundtable.forum, 'name')}>{escape(roundtable.forum.name)}</span> · "
        key = (roundtable.forum_id, roundtable.number)
        label = self.roundtable_labels.get(key)
        if label is None:  # “Roundtable 1”, or the forum's own name for it (“Theme 1”)
            label = self.roundtable_labels[key] = escape(roundtable.forum.group_label(roundtable.number))
        if not session.is_session:  # a plenary, break or reception: its kind, no code, no star
            label = self.kinds.get(session.kind, "")
        meta += f"<span>{label}</span>"
        if show_time:
            meta += self.when(session)
        if session.room_id:
            meta += f" · <span{self.lang(session.room, 'name')}>{escape(session.room.name)}</span>"
        if session.status != Status.PUBLISHED:
            meta += f' · <span class="badge">{self.draft}</span>'
        title_lang = self.lang(session, "title")
        if not session.is_session:  # the programme shows it across its row (static/css/portal.css)
            return (
                f'<article class="session-card timetable-item kind-{session.kind}" id="session-{session.pk}">'
                f'<h{level} class="session-card-title">'
                f'<a href="{self.url(session)}"{title_lang}>{escape(session.title)}</a>'
                f'</h{level}><p class="meta">{meta}</p>{self.people(session)}</article>'
            )
        return (
            f'<article class="session-card" id="session-{session.pk}">'
            f'<h{level} class="session-card-title"><a href="{self.url(session)}"{title_lang}>'
            f'<span class="code">{escape(session.code)}</span> {escape(session.title)}</a></h{level}>'
            f'<p class="meta">{meta}</p>{self.people(session)}{self.star_form(session)}</article>'
        )


@register.simple_tag(takes_context=True)
def session_card(context, session, level=3, show_forum=False, show_time=True):
    """The card of ``session`` with a heading of ``level`` (``show_forum`` adds the forum's name). A card
    in a row that already gives its time (the programme's slots) leaves it out with ``show_time=False``."""
    key = ("session_card_formatter", get_language())
    formatter = context.render_context.get(key)
    if formatter is None:
        formatter = context.render_context[key] = _CardFormatter(context.get("request"))
    card = formatter.card(session, int(level), bool(show_forum), bool(show_time))
    return mark_safe(card)  # every value escaped above
