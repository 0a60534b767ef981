from roundtables.templatetags.portal import render_markdown


def test_markdown_renders_paragraphs_and_lists():
    html = render_markdown("First paragraph.\n\n- one\n- two")

    assert html == "<p>First paragraph.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"


def test_markdown_drops_raw_html_from_the_database():
    html = render_markdown('Hello <script>alert("x")</script><img src=x onerror=alert(1)> [a](javascript:alert(1))')

    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html
    assert html.startswith("<p>Hello")
