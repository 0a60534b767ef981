"""Template tags of My agenda's star buttons. They never query."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def agenda_next(context, *anchor):
    """Where a star button brings a browser without JavaScript back to: this page, at the element
    whose id is made of ``anchor`` (``{% agenda_next "session-" session.pk %}``).

    Works inside ``{% include ... only %}`` too: the request stays on the context, not in its variables.
    """
    request = getattr(context, "request", None)
    if request is None:
        return ""
    path = request.get_full_path()
    fragment = "".join(str(part) for part in anchor)
    return f"{path}#{fragment}" if fragment else path
