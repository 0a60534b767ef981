"""The programme PDFs' Markdown blocks: a plain line takes the shortcut, which gives what the parser gives."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.text import MARKDOWN_MAX_CHARS, plain_line
from sessions.pdf import document
from tests.gfmd_portal.test_text import _LINE_ALPHABET  # the characters around those Markdown reads as markup


@given(st.text(alphabet=_LINE_ALPHABET, min_size=1, max_size=30))
@settings(max_examples=3000, deadline=None)
def test_a_plain_line_becomes_the_blocks_the_parser_makes_of_it(source):
    if plain_line(source):
        assert document.markdown_blocks(source) == document._parsed_blocks(source)


@pytest.mark.parametrize(
    "source",
    [
        "Is circular migration effective for development?",
        "Remittances: 5% of GDP, 2009 figures",
        'He said "yes" (twice)',
        "Dhaka 2016",
    ],
)
def test_an_issue_of_one_plain_line_skips_the_parser(source, monkeypatch):
    def parser(text):
        raise AssertionError(f"parsed {text!r}")

    monkeypatch.setattr(document, "markdown_tokens", parser)

    assert document.markdown_blocks(source) == [{"k": "p", "c": [source], "b": False}]


@pytest.mark.parametrize("source", ["- a list", "1. first", "*bold*", "a & b", "x\ny", "[a](https://example.org)"])
def test_a_text_with_markup_goes_through_the_parser(source, monkeypatch):
    parsed = []
    tokens = document.markdown_tokens
    monkeypatch.setattr(document, "markdown_tokens", lambda text: parsed.append(text) or tokens(text))

    document.markdown_blocks(source)

    assert parsed == [source]


def test_a_plain_line_longer_than_markdown_reads_keeps_its_paragraph_with_single_spaces():
    source = "word  " * (MARKDOWN_MAX_CHARS // 6 + 1) + "end"
    assert plain_line(source)

    assert document.markdown_blocks(source) == [{"k": "p", "c": [" ".join(source.split())]}]
