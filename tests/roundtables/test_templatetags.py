from roundtables.templatetags.portal import render_markdown


def test_markdown_renders_paragraphs_and_lists():
    html = render_markdown("First paragraph.\n\n- one\n- two")

    assert html == "<p>First paragraph.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"


def test_markdown_drops_raw_html_from_the_database():
    html = render_markdown(
        'Hello <script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:alert(1)) '
        '<a href="javascript:alert(2)">b</a>'
    )

    # A javascript: link in Markdown stays text; one in raw HTML loses its address.
    assert html == '<p>Hello  [a](javascript:alert(1)) <a rel="noopener noreferrer nofollow">b</a></p>'


def test_local_time_is_not_converted_back_by_the_date_filter():
    import datetime

    from django.template import Context, Template

    utc = datetime.datetime(2009, 11, 2, 7, 30, tzinfo=datetime.UTC)

    rendered = Template('{% load portal %}{{ when|local_time:"Europe/Athens"|date:"H:i" }}').render(
        Context({"when": utc})
    )

    assert rendered == "09:30"
