"""Template tags of My agenda's star buttons. They never query."""

from django import template
from django.utils.safestring import mark_safe

from core.site_urls import site_url
from sessions.agenda import star_form_html

register = template.Library()


@register.simple_tag(takes_context=True)
def agenda_next(context, *anchor):
    """Where a star button brings a browser without JavaScript back to: this page, at the element
    whose id is made of ``anchor`` (``{% agenda_next "star-" session.pk %}``).

    Works inside ``{% include ... only %}`` too: the request stays on the context, not in its variables.
    """
    request = getattr(context, "request", None)
    if request is None:
        return ""
    path = request.get_full_path()
    fragment = "".join(str(part) for part in anchor)
    return f"{path}#{fragment}" if fragment else path


@register.simple_tag(takes_context=True)
def agenda_star(context, session, starred=False):
    """The star form of ``session``, coming back to this page at its button (see ``sessions.agenda``).

    ``starred`` renders it starred: only for pages made for one visitor, such as My agenda; pages
    cached for everyone leave it out and ``AgendaStarsMiddleware`` marks the visitor's stars.
    """
    request = getattr(context, "request", None)
    return mark_safe(  # star_form_html escapes every value
        star_form_html(
            session_id=session.pk,
            code=session.code,
            action_url=site_url("sessions:agenda-toggle"),
            back_to=request.get_full_path() if request is not None else "",
            starred=bool(starred),
        )
    )
