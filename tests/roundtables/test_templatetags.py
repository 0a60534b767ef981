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


def _forum_when(template, **context):
    from django.template import Context, Template

    return Template("{% load portal %}" + template).render(Context(context))


def test_forum_when_shows_a_session_in_its_forum_zone_with_time_elements():
    import datetime
    import types

    forum = types.SimpleNamespace(time_zone="Europe/Athens")
    start = datetime.datetime(2009, 11, 3, 21, 30, tzinfo=datetime.UTC)

    rendered = _forum_when(
        '{% forum_when start end forum style="long" html=True %}',
        start=start,
        end=start + datetime.timedelta(hours=1),
        forum=forum,
    )

    assert rendered == (
        '<time datetime="2009-11-03T23:30:00+02:00">Tuesday 3 November 2009, 23:30</time>–'
        '<time datetime="2009-11-04T00:30:00+02:00">00:30</time>'
    )


def test_forum_when_as_text_in_the_forum_zone_and_empty_for_a_session_not_scheduled():
    import datetime

    start = datetime.datetime(2016, 12, 7, 19, 0, tzinfo=datetime.UTC)

    rendered = _forum_when(
        '[{% forum_when start end "Asia/Dhaka" style="short" %}][{% forum_when None None "Asia/Dhaka" %}]',
        start=start,
        end=start + datetime.timedelta(minutes=90),
    )

    assert rendered == "[Thu 8 Dec, 01:00–02:30][]"
