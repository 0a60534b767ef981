"""Laying the programme PDFs out (``sessions.pdf.render``): what the rendered booklet holds, the margins'
words, the files a render may read, and the pydyf page-reference memo."""

import io
import re

import pytest
from django.conf import settings
from django.db import transaction
from pypdf import PdfReader

from sessions.models import Session
from sessions.pdf import content, render
from tests.factories import make_organisation, make_participation, make_person

# Every test here may touch the database; the marker also makes pytest-django create the test
# database for the module-scoped booklet below when no other test of the run asks for one.
pytestmark = pytest.mark.django_db


def _athens():
    from programme.management.commands.load_programme import DATA_DIR
    from programme.services import programme_load

    return programme_load(path=DATA_DIR / "athens-2009.json")


def _reader(data):
    return PdfReader(io.BytesIO(data))


def _page_texts(reader):
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def _outline_titles(outline, level=1):
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(_outline_titles(item, level + 1))
        else:
            titles.append((level, item.title))
    return titles


@pytest.fixture(scope="module")
def athens_booklet(django_db_setup, django_db_blocker):
    """The English booklet of the Athens demo with people added, rendered once for the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        forum = _athens()
        session = Session.objects.get(roundtable__forum=forum, roundtable__number=1, number=1)
        unesco = make_organisation(name="Organisation « Migrants’ Voices »")
        make_participation(session=session, person=make_person(name="Ana Núñez", organisation=unesco), role="chair")
        make_participation(session=session, person=make_person(name="Kofi Mensah"), role="speaker")
        sessions = list(
            Session.objects.filter(roundtable__forum=forum)
            .select_related("roundtable")
            .order_by("roundtable__number", "number")
        )
        expected = {
            "roundtables": [str(roundtable) for roundtable in forum.roundtables.order_by("number")],
            "sessions": [(session.code, session.title) for session in sessions],
        }
        data = render.render_pdf(content.export_for(content.BOOKLET, forum, language="en"))
        transaction.set_rollback(True)
    reader = _reader(data)
    expected["pages"] = _page_texts(reader)  # text extraction is slow: once for the module
    return reader, expected


# What the booklet holds -----------------------------------------------------------------------


def test_booklet_holds_every_roundtable_and_session_title_and_people(athens_booklet):
    _, expected = athens_booklet

    text = " ".join(expected["pages"])

    assert [title for title in expected["roundtables"] if title not in text] == []
    assert [title for code, title in expected["sessions"] if f"{code} {title}" not in text] == []
    assert "Chair Ana Núñez (Organisation « Migrants’ Voices »)" in text
    assert "Speaker Kofi Mensah" in text


def test_booklet_contents_give_the_page_of_each_session_heading(athens_booklet):
    _, expected = athens_booklet
    pages = expected["pages"]
    contents_pages = [i for i, text in enumerate(pages) if text.startswith("Contents")]

    contents = " ".join(pages[i] for i in contents_pages)
    printed = {code: int(page) for code, page in re.findall(r"(\d+\.\d+) .*?\.{4,} ?(\d+)", contents)}
    headings = {
        code: max(i for i, text in enumerate(pages) if f"{code} {' '.join(title.split()[:4])}" in text) + 1
        for code, title in expected["sessions"]
    }

    assert contents_pages == [1]
    assert printed == headings
    assert min(headings.values()) > contents_pages[-1] + 1  # after the contents and the programme at a glance


def test_booklet_contents_entries_link_to_their_pages(athens_booklet):
    reader, expected = athens_booklet
    page_numbers = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, start=1)}
    destinations = {name: page_numbers[dest.page.idnum] for name, dest in reader.named_destinations.items()}

    links = [
        annotation.get_object()["/Dest"]
        for annotation in reader.pages[1].get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]

    assert {f"session-{code.replace('.', '-')}" for code, _ in expected["sessions"]} <= set(map(str, links))
    assert destinations["session-1-1"] == 4


def test_booklet_outline_has_an_entry_per_roundtable_and_session(athens_booklet):
    reader, expected = athens_booklet

    titles = _outline_titles(reader.outline)

    assert [title for level, title in titles if level == 1] == [
        "Contents",
        "Programme at a glance",
        *expected["roundtables"],
    ]
    assert [title for level, title in titles if level == 2] == [
        f"{code} {title}" for code, title in expected["sessions"]
    ]


def test_booklet_metadata_language_and_tags(athens_booklet):
    reader, _ = athens_booklet
    catalog = reader.trailer["/Root"]

    assert reader.metadata.title == "Programme: Civil Society Days, Athens 2009"
    assert reader.metadata.author == "GFMD Civil Society Days organising committee"
    assert reader.metadata.creation_date is not None
    assert reader.metadata.modification_date is not None
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert b"pdfuaid:part" in catalog["/Metadata"].get_object().get_data()


def test_booklet_is_a4_with_page_n_of_m_and_running_header(athens_booklet):
    reader, expected = athens_booklet
    pages = expected["pages"]
    total = len(pages)

    assert {(round(page.mediabox.width), round(page.mediabox.height)) for page in reader.pages} == {(595, 842)}
    assert [f"Page {n} of {total}" in text for n, text in enumerate(pages, start=1)] == [False] + [True] * (total - 1)
    assert "Civil Society Days, Athens 2009 Roundtable 1 · How to make" in pages[3]


def test_booklet_fonts_are_embedded(athens_booklet):
    reader, _ = athens_booklet
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[font["/BaseFont"].split("+")[-1]] = "/FontFile2" in descriptor or "/FontFile3" in descriptor

    assert fonts == {"GFMD-Noto-Sans": True, "GFMD-Noto-Sans-Bold": True, "GFMD-Noto-Sans-Italic": True}


def test_booklet_glance_lists_sessions_by_day_and_time_with_room_and_page(athens_booklet):
    _, expected = athens_booklet
    glance = expected["pages"][2]

    assert glance.startswith("Programme at a glance All times are local time (Europe/Athens).")
    assert (
        "Monday 2 November 2009 09:30–11:00 "
        "1.1 Migration and Development: key actors and strategies for win-win solutions · Room A · p. 4"
    ) in glance
    assert "14:00–15:30 1.2 Engaging diasporas" in glance


def test_booklet_numbers_issues_and_shows_no_template_syntax(athens_booklet):
    _, expected = athens_booklet
    text = " ".join(expected["pages"])

    assert "Main issues 1. How to spread the benefits of migration more widely" in text
    assert [marker for marker in ("{#", "#}", "{%", "{{") if marker in text] == []


# The words of the page margins, and what a render may read ------------------------------------


def test_page_counter_follows_the_word_order_of_the_translation():
    assert render._counter_content("Página {page} de {pages}") == '"Página " counter(page) " de " counter(pages)'
    assert render._counter_content('{page}/{pages} "x"') == 'counter(page) "/" counter(pages) " \\"x\\""'


def test_pdf_rendering_reads_static_files_only(settings):
    fetcher = render._static_fetcher([settings.BASE_DIR / "static"])

    with pytest.raises(ValueError, match="may only read static files"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError, match="may only read static files"):
        fetcher.fetch("https://example.org/font.ttf")
    assert fetcher.fetch((settings.BASE_DIR / "static" / "fonts" / "OFL.txt").as_uri()).read().startswith(b"Noto Sans")


# pydyf's page references, memoised for the pinned version ------------------------------------


@pytest.fixture
def unpatched_pydyf(monkeypatch):
    """pydyf as installed, its ``PDF.page_references`` without the memo; put back as it was afterwards."""
    import pydyf

    current = pydyf.PDF.__dict__["page_references"]
    if current.fget is render._memoised_page_references:
        current = property(render._unmemoised_page_references)
    monkeypatch.setattr(pydyf.PDF, "page_references", current)
    return pydyf


def _is_memoised(pydyf):
    return pydyf.PDF.__dict__["page_references"].fget is render._memoised_page_references


def _structure(data):
    """What the page references feed: page count, outline, named destinations, links and tagged content,
    each with the number of the page it points at."""
    reader = _reader(data)
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages, start=1)}

    def outline(items):
        return [outline(item) if isinstance(item, list) else (item.title, pages[item.page.idnum]) for item in items]

    tagged = []
    pending = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while pending:
        node = pending.pop().get_object()
        if not hasattr(node, "raw_get"):
            continue
        if "/Pg" in node:
            tagged.append((str(node.get("/S")), pages[node.raw_get("/Pg").idnum]))
        kids = node.get("/K")
        pending.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])
    links = [
        (number, str(annotation.get_object().get("/Dest")))
        for number, page in enumerate(reader.pages, start=1)
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    destinations = {name: pages[destination.page.idnum] for name, destination in reader.named_destinations.items()}
    return len(reader.pages), outline(reader.outline), destinations, links, tagged


def test_pydyf_is_the_version_the_page_reference_memo_was_written_for():
    requirements = (settings.BASE_DIR / "requirements.txt").read_text()

    pinned = re.search(r"^pydyf==(\S+)", requirements, flags=re.MULTILINE).group(1)

    # A new pydyf: measure bench/pdf.py with and without the memo, then update PYDYF_VERSION or remove it.
    assert (render.PYDYF_INSTALLED, pinned) == (render.PYDYF_VERSION, render.PYDYF_VERSION)


def test_a_render_memoises_pydyfs_page_references(unpatched_pydyf, athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    before = _is_memoised(unpatched_pydyf)

    render.render_pdf(content.export_for(content.SESSION, session, language="en"))

    assert (before, _is_memoised(unpatched_pydyf)) == (False, True)


def test_the_page_reference_memo_follows_the_pages_added(unpatched_pydyf):
    pydyf = unpatched_pydyf
    render.memoise_page_references()
    pdf = pydyf.PDF()
    pdf.add_page(pydyf.Dictionary({"Type": "/Page", "MediaBox": [0, 0, 595, 842]}))

    one_page = pdf.page_references
    again = pdf.page_references
    pdf.add_page(pydyf.Dictionary({"Type": "/Page", "MediaBox": [0, 0, 595, 842]}))
    two_pages = pdf.page_references

    assert again is one_page
    assert len(one_page) == 1
    assert two_pages == render._unmemoised_page_references(pdf)
    assert len(two_pages) == 2


def test_the_memo_leaves_the_booklet_as_pydyf_alone_writes_it(unpatched_pydyf, athens, monkeypatch):
    export = content.export_for(content.BOOKLET, athens, language="en")
    monkeypatch.setattr(render, "PYDYF_INSTALLED", "0.0.1")  # another pydyf: the guard leaves it alone

    plain = _structure(render.render_pdf(export))
    plain_is_memoised = _is_memoised(unpatched_pydyf)
    monkeypatch.setattr(render, "PYDYF_INSTALLED", render.PYDYF_VERSION)
    memoised = _structure(render.render_pdf(export))

    assert (plain_is_memoised, _is_memoised(unpatched_pydyf)) == (False, True)
    assert plain[0] > 10
    assert len(plain[4]) > 100
    assert memoised == plain
