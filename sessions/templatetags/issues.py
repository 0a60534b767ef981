"""``{% session_issue issue %}``: an issue of a session's page with its sub-points, formatted in one pass rather
than by a dozen template nodes, with the same bytes the template wrote. It formats what
``sessions.listings.issues_with_points`` fetched and never queries. The texts are Markdown rendered and
sanitised by ``core.text.markdown_html``; a text shown in English for want of one in the page's language gets
``lang="en"`` (``{% lang_attr %}``).
"""

from django import template
from django.utils.safestring import mark_safe

from core.text import markdown_html
from roundtables.templatetags.translated import lang_attr

register = template.Library()


@register.simple_tag
def session_issue(issue):
    points = issue.points.all()
    block = ""
    if points:
        items = "".join(
            f'<li id="issue-{int(point.pk)}"{lang_attr(point, "text")}>{markdown_html(point.text)}</li>'
            for point in points
        )
        block = f'\n        <ul class="points">{items}</ul>\n        '
    return mark_safe(
        f'<li id="issue-{int(issue.pk)}">\n'
        f'        <div class="issue-text"{lang_attr(issue, "text")}>{markdown_html(issue.text)}</div>\n'
        f"        {block}\n"
        "      </li>"
    )  # the ids are numbers, lang_attr gives a safe attribute and markdown_html sanitised HTML
