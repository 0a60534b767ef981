"""Stored text as the portal shows it: Markdown within bounds, anything else as escaped plain text."""

import html
import logging
import time

import nh3
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core import text
from core.text import (
    MARKDOWN_MAX_CHARS,
    MAX_NESTING,
    drop_maxlength,
    markdown_html,
    markdown_nesting,
    markdown_plain,
    plain_html,
    plain_line,
    validate_markdown,
)

# What the attack run stored, and texts as deep as fit in an issue (3,000 characters).
DEEP_TEXTS = {
    "list in one line": "- " * 5000 + "x",
    "quotes and a 200-level list": ">" * 3000 + " x\n\n" + "\n".join("    " * level + "- item" for level in range(200)),
    "issue-sized list": "- " * 1499 + "x",
    "raw html quotes": "<blockquote>" * 1000 + "x",
    "emphasis": "*" * 1400 + "x" + "*" * 1400,
}


def test_markdown_renders_paragraphs_lists_quotes_and_links():
    html = markdown_html("First *paragraph*.\n\n- one\n    - two\n\n> quoted\n\n[GFMD](https://gfmd.org)")

    assert html == (
        "<p>First <em>paragraph</em>.</p>\n"
        "<ul>\n<li>one\n<ul>\n<li>two</li>\n</ul>\n</li>\n</ul>\n"
        "<blockquote>\n<p>quoted</p>\n</blockquote>\n"
        '<p><a href="https://gfmd.org" rel="noopener noreferrer nofollow">GFMD</a></p>'
    )


@pytest.mark.parametrize("deep", DEEP_TEXTS.values(), ids=DEEP_TEXTS.keys())
def test_a_too_deeply_nested_text_shows_as_escaped_plain_text(deep, caplog):
    with caplog.at_level(logging.WARNING, logger="core.text"):
        html = markdown_html(deep)

    assert html == plain_html(deep)
    assert "<ul>" not in html
    assert "<blockquote>" not in html
    assert [record.levelname for record in caplog.records if "shown as plain text" in record.getMessage()] == [
        "WARNING"
    ]


def test_plain_html_escapes_and_keeps_paragraphs():
    assert plain_html("<b>a</b> & b\nc\n\nd") == "<p>&lt;b&gt;a&lt;/b&gt; &amp; b<br>c</p>\n\n<p>d</p>"


def test_nesting_up_to_the_limit_is_rendered_and_one_more_level_is_not():
    at_limit = "- " * MAX_NESTING + "x"
    beyond = "- " * (MAX_NESTING + 1) + "x"

    assert markdown_html(at_limit).count("<ul>") == MAX_NESTING
    assert markdown_html(beyond) == plain_html(beyond)
    assert (markdown_nesting(at_limit), markdown_nesting(beyond)) == ((MAX_NESTING, False), (MAX_NESTING + 1, False))


def test_quotes_lists_and_emphasis_count_together():
    assert markdown_nesting("> - **bold *and italic***") == (4, False)
    assert markdown_nesting("Plain words.") == (0, False)


def test_a_text_the_renderer_fails_on_shows_as_plain_text_and_is_logged(monkeypatch, caplog):
    def fail(source, env=None):
        raise RuntimeError("renderer bug")

    monkeypatch.setattr(text._markdown, "parse", fail)

    with caplog.at_level(logging.ERROR, logger="core.text"):
        html = markdown_html("**<i>x</i>**")
        plain = markdown_plain("**<i>x</i>**")

    assert (html, plain) == ("<p>**&lt;i&gt;x&lt;/i&gt;**</p>", "**<i>x</i>**")
    assert [record.exc_info[1].args for record in caplog.records] == [("renderer bug",)] * 2  # once per call


def test_a_text_longer_than_any_markdown_field_is_not_parsed():
    long_text = "- " * 10 + "*a* " * (MARKDOWN_MAX_CHARS // 4)

    assert markdown_html(long_text) == plain_html(long_text)


def test_runs_of_brackets_render_in_linear_time():
    # Python-Markdown took 45 s on these 20,000 characters: every "[" scanned the rest of the text.
    brackets = "[" * MARKDOWN_MAX_CHARS

    started = time.perf_counter()
    html = markdown_html(brackets)
    elapsed = time.perf_counter() - started

    assert html == f"<p>{brackets}</p>"
    assert elapsed < 5


@pytest.mark.parametrize(
    ("source", "plain"),
    [
        (
            "# Title\n\n**Bold** and [a link](https://example.org) <script>alert(1)</script>&lt;i&gt;",
            "Title Bold and a link <i>",
        ),
        ("- " * 5000 + "x", "- " * 5000 + "x"),
        ("", ""),
    ],
)
def test_markdown_plain_is_one_line_of_text(source, plain):
    assert markdown_plain(source) == plain.strip()


def test_validate_markdown_names_the_depth_and_the_limit():
    with pytest.raises(ValidationError) as refused:
        validate_markdown("> " * 11 + "x")

    assert refused.value.messages == [
        "This text nests block quotes, lists or emphasis 11 levels deep; at most 10 are allowed."
    ]
    assert refused.value.error_list[0].code == "nesting"


def test_validate_markdown_says_more_than_when_the_parser_stopped():
    with pytest.raises(ValidationError) as refused:
        validate_markdown("- " * 1499 + "x")

    assert refused.value.messages == [
        "This text nests block quotes, lists or emphasis more than 20 levels deep; at most 10 are allowed."
    ]


def test_validate_markdown_accepts_the_athens_texts(athens):
    from roundtables.models import Forum, Roundtable
    from sessions.models import Issue, Session

    texts = [
        *Forum.objects.values_list("description", flat=True),
        *Roundtable.objects.values_list("background", flat=True),
        *Session.objects.values_list("background", flat=True),
        *Issue.objects.values_list("text", flat=True),
    ]

    for source in texts:
        validate_markdown(source)
    assert len(texts) == 88


def test_drop_maxlength_leaves_the_other_attributes():
    from django import forms

    field = forms.CharField(max_length=300, widget=forms.TextInput(attrs={"class": "vTextField"}))

    drop_maxlength([field])

    assert field.widget.attrs == {"class": "vTextField"}
    assert field.max_length == 300


# Characters around the ones Markdown and the sanitiser treat specially, for the one-line shortcut.
_LINE_ALPHABET = st.sampled_from(list("aZ9 .,;:'\"()%/?@$^{}+-=|!~#*_`<>&[]\\\t\n\xa0\x85\u2028\u3000é€日-"))


@given(st.text(alphabet=_LINE_ALPHABET, min_size=1, max_size=30))
@settings(max_examples=3000, deadline=None)
def test_a_plain_line_shows_as_the_parser_would_show_it(source):
    if plain_line(source):
        assert text._render(source) == text._render_parsed(source)
        assert markdown_plain(source) == " ".join(
            html.unescape(nh3.clean(text._render_parsed(source)[0], tags=set())).split()
        )


@pytest.mark.parametrize(
    "source",
    ["Is circular migration effective for development?", "Remittances: 5% of GDP", 'He said "yes"', "Dhaka 2016"],
)
def test_common_plain_lines_take_the_shortcut(source):
    assert plain_line(source)
    assert markdown_html(source) == f"<p>{source}</p>"


@pytest.mark.parametrize(
    "source", ["- a list", "1. first", "2009) a year", "*bold*", "a & b", "  code", "x\ny", "a\xa0b"]
)
def test_lines_with_markup_go_through_the_parser(source):
    assert not plain_line(source)


def test_nothing_is_kept_between_renderings(monkeypatch):
    calls = []
    render = text._render_parsed
    monkeypatch.setattr(text, "_render_parsed", lambda source: calls.append(source) or render(source))

    markdown_html("A short *issue*.")
    markdown_html("A short *issue*.")

    assert calls == ["A short *issue*.", "A short *issue*."]


@pytest.mark.parametrize(
    ("source", "dropped"),
    [
        ("<b>x</b><script>alert(1)</script>", ["<b>", "<script>"]),
        ("<div>one</div> <DIV>two</DIV> <span class='x'>three</span>", ["<div>", "<span>"]),
        ("A <!-- note to self --> text", ["<!-- -->"]),
        ("![A map](https://example.org/map.png)", [str(text.DROPPED_MARKDOWN["img"])]),
        (
            "# Title\n\n## Part\n\n###### Small\n\n---",
            [str(text.DROPPED_MARKDOWN["h1"]), str(text.DROPPED_MARKDOWN["hr"])],
        ),
    ],
)
def test_dropped_markup_names_what_the_page_will_not_show(source, dropped):
    assert [str(item) for item in text.dropped_markup(source)] == dropped


@pytest.mark.parametrize(
    "source",
    [
        "",
        "**bold**, *italic*, `<b>` in code, [a link](https://gfmd.org)\n\n- a list\n\n> a quote",
        "Raw tags the pages keep: <strong>x</strong> <em>y</em> <br> <a href='https://gfmd.org'>z</a>",
        "### A heading the pages show\n\n1 < 2 and 3 > 2",
        "<" * (MARKDOWN_MAX_CHARS + 1),
    ],
)
def test_dropped_markup_is_empty_when_everything_shows(source):
    assert text.dropped_markup(source) == []


def test_dropped_markup_agrees_with_the_sanitiser():
    source = "<b>x</b> <u>y</u> <strong>z</strong> <img src=x> <table><tr><td>t</td></tr></table>"
    shown = markdown_html(source)

    assert [str(item) for item in text.dropped_markup(source)] == ["<b>", "<u>", "<img>", "<table>", "<tr>", "<td>"]
    assert "<strong>z</strong>" in shown
    assert all(tag not in shown for tag in ["<b>", "<u>", "<img", "<table>", "<tr>", "<td>"])
