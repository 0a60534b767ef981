"""Laying the programme PDFs out (``sessions.pdf.render``): what the rendered booklet holds (contents,
outline, tags, fonts, language, margins), the preview note, and programme texts that look like Typst
markup printed as written."""

import ctypes
import io
import os
import re
import shutil
import subprocess
import sys
import types

import pytest
from django.db import transaction
from pypdf import PdfReader

from sessions.models import Session
from sessions.pdf import content, document, render, typst_compile
from tests.factories import make_issue, make_organisation, make_participation, make_person, make_session, make_user

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
    expected["data"] = data
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
    contents_pages = [i for i, text in enumerate(pages) if text.startswith("Civil Society Days, Athens 2009 Contents")]

    contents = " ".join(pages[i] for i in contents_pages)
    printed = {code: int(page) for code, page in re.findall(r"(\d+\.\d+) [^.]*?(?:\. ?){4,}(\d+)", contents)}
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
    assert catalog["/Lang"] == "en"
    assert bool(catalog["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in catalog
    assert re.search(rb"pdfuaid:part>1<", catalog["/Metadata"].get_object().get_data())


def test_booklet_is_a4_with_page_n_of_m_and_running_header(athens_booklet):
    reader, expected = athens_booklet
    pages = expected["pages"]
    total = len(pages)

    assert {(round(page.mediabox.width), round(page.mediabox.height)) for page in reader.pages} == {(595, 842)}
    assert [f"Page {n} of {total}" in text for n, text in enumerate(pages, start=1)] == [False] + [True] * (total - 1)
    assert pages[3].startswith("Civil Society Days, Athens 2009 Roundtable 1 · How to make")
    assert pages[2].startswith("Civil Society Days, Athens 2009 Programme at a glance")


def test_booklet_fonts_are_the_projects_noto_sans_embedded(athens_booklet):
    reader, _ = athens_booklet
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            fonts[font["/BaseFont"].split("+")[-1]] = "/FontFile2" in descriptor or "/FontFile3" in descriptor

    assert fonts == {"NotoSans-Regular": True, "NotoSans-Bold": True, "NotoSans-Italic": True}


def test_booklet_glance_lists_sessions_by_day_and_time_with_room_and_page(athens_booklet):
    _, expected = athens_booklet
    glance = expected["pages"][2]

    assert glance.startswith(
        "Civil Society Days, Athens 2009 Programme at a glance Programme at a glance "
        "All times are local time (Europe/Athens)."
    )
    assert (
        "Monday 2 November 2009 09:30–11:00 "
        "1.1 Migration and Development: key actors and strategies for win-win solutions · Room A · p. 4"
    ) in glance
    assert "14:00–15:30 1.2 Engaging diasporas" in glance


def test_booklet_numbers_issues_and_shows_no_markup(athens_booklet):
    _, expected = athens_booklet
    text = " ".join(expected["pages"])

    assert "Main issues 1. How to spread the benefits of migration more widely" in text
    assert [marker for marker in ("{#", "#}", "{%", "{{", '"k":', "<p>") if marker in text] == []


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed")
def test_booklet_passes_qpdf_check(athens_booklet, tmp_path):
    _, expected = athens_booklet
    path = tmp_path / "booklet.pdf"
    path.write_bytes(expected["data"])

    check = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True, check=False)

    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout


# Languages, previews -----------------------------------------------------------------------------


def test_french_booklet_says_french_and_reads_french(athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)

    reader = _reader(render.render_pdf(content.export_for(content.BOOKLET, athens, language="fr")))
    pages = _page_texts(reader)
    text = " ".join(pages)

    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert pages[1].startswith(f"{athens.name_fr} Sommaire Sommaire Le programme en un coup d’œil")
    assert f"Page 2 sur {len(pages)}" in pages[1]
    assert "Thèmes transversaux" in text
    assert f"1.1 {session.title_fr}" in text
    assert "Main issues" not in text


def test_preview_note_is_on_previews_only(athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    session.status = "draft"
    session.save()
    note = "Preview with unpublished content, not for circulation"
    staff = make_user(is_staff=True)

    preview = content.export_for(content.BOOKLET, athens, language="en", user=staff)
    public = content.export_for(content.BOOKLET, athens, language="en")
    preview_pages = _page_texts(_reader(render.render_pdf(preview)))
    public_pages = _page_texts(_reader(render.render_pdf(public)))

    assert (preview.preview, public.preview) == (True, False)
    assert [note in text for text in preview_pages] == [True] * len(preview_pages)
    assert [note in text for text in public_pages] == [False] * len(public_pages)


def test_handout_qr_code_is_a_figure_with_alternative_text(athens, settings):
    settings.PORTAL_URL = "https://portal.example.org"
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)

    reader = _reader(render.render_pdf(content.export_for(content.SESSION, session, language="en")))
    figures = []
    pending = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while pending:
        node = pending.pop().get_object()
        if not hasattr(node, "get"):
            continue
        if node.get("/S") == "/Figure":
            figures.append(node.get("/Alt"))
        kids = node.get("/K")
        pending.extend(kids if isinstance(kids, list) else [kids] if kids is not None else [])

    assert figures == ["QR code of this session's page"]
    assert f"https://portal.example.org{session.get_absolute_url()}" in "".join(_page_texts(reader)).replace(" ", "")


# Programme texts are text, never markup -----------------------------------------------------------

TYPST_LOOKALIKES = [
    '#read("/etc/passwd")',
    '#panic("x")',
    "$x$",
    "*bold*",
    "[link]",
    "a \\ b",
    "@ref",
    "<label>",
    "// not a comment",
    "#{ 1 + 1 }",
    '")] #panic("y") [("',
]


def test_programme_texts_that_look_like_typst_print_as_written():
    session = make_session(
        title=" ".join(TYPST_LOOKALIKES),  # plain text
        background="\n\n".join(f"`{text}`" for text in TYPST_LOOKALIKES),  # Markdown: code spans keep them as typed
    )
    make_issue(session=session, text=" ".join(f"`{text}`" for text in TYPST_LOOKALIKES))

    reader = _reader(render.render_pdf(content.export_for(content.SESSION, session, language="en")))
    text = " ".join(_page_texts(reader))

    assert {literal: text.count(literal) for literal in TYPST_LOOKALIKES} == dict.fromkeys(TYPST_LOOKALIKES, 3)
    assert "root:" not in text  # nothing was read from the disk


def test_markdown_becomes_blocks_of_plain_strings():
    blocks = document.markdown_blocks(
        "A **strong** and *emphasised* [link](https://example.org) and [bad](ftp://example.org) <b>tag</b>.\n\n"
        "### A heading\n\n1. one\n2. two\n\n> quoted"
    )

    assert blocks == [
        {
            "k": "p",
            "c": [
                "A ",
                {"k": "strong", "c": ["strong"]},
                " and ",
                {"k": "emph", "c": ["emphasised"]},
                " ",
                {"k": "link", "c": ["link"], "href": "https://example.org"},
                " and ",
                {"k": "span", "c": ["bad"]},
                " ",
                "tag",
                ".",
            ],
            "b": False,
        },
        {"k": "p", "c": ["A heading"], "b": True},
        {
            "k": "list",
            "ordered": True,
            "start": 1,
            "items": [[{"k": "p", "c": ["one"], "b": False}], [{"k": "p", "c": ["two"], "b": False}]],
        },
        {"k": "quote", "c": [{"k": "p", "c": ["quoted"], "b": False}]},
    ]


def test_a_typst_error_is_reported_as_a_failed_render():
    with pytest.raises(render.RenderFailed, match="Typst could not lay out the PDF"):
        render.compile_pdf({"kind": "booklet"})


# The compiler's process ---------------------------------------------------------------------------


class _RecordingCompiler:
    """Stands in for typst.Compiler: notes how many layout threads the compiler would be given."""

    seen = []

    def __init__(self, **kwargs):
        pass

    def compile(self, **kwargs):
        _RecordingCompiler.seen.append(os.environ.get("RAYON_NUM_THREADS"))
        return b"%PDF-1.7 stand-in"


class _RecordingLibrary:
    """Stands in for the C library that ``ctypes.CDLL(None)`` opens: notes the allocator settings asked for."""

    def __init__(self, _name):
        self.settings = _RecordingLibrary.settings = []

    def mallopt(self, parameter, value):
        self.settings.append((parameter, value))
        return 1


def _run_compile_script(monkeypatch, tmp_path, c_library=None):
    """``typst_compile.main`` in this process, with a stand-in typst package and C library (``_RecordingLibrary``
    unless given); what it wrote to stdout. The environment is restored afterwards."""
    if "RAYON_NUM_THREADS" not in os.environ:
        monkeypatch.setenv("RAYON_NUM_THREADS", "")  # so that the variable the script sets is removed afterwards
        monkeypatch.delenv("RAYON_NUM_THREADS")
    monkeypatch.setattr(ctypes, "CDLL", c_library or _RecordingLibrary)
    _RecordingLibrary.settings = None
    stand_in = types.ModuleType("typst")
    stand_in.Fonts = lambda **kwargs: None
    stand_in.Compiler = _RecordingCompiler
    stand_in.TypstError = RuntimeError
    monkeypatch.setitem(sys.modules, "typst", stand_in)
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b'{"kind": "booklet"}'), encoding="utf-8"))
    written = io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(written, encoding="utf-8"))
    _RecordingCompiler.seen = []
    assert typst_compile.main(["typst_compile.py", str(render.SOURCE), str(tmp_path)]) == 0
    sys.stdout.flush()
    return written.getvalue()


def test_the_compiler_lays_out_one_page_run_at_a_time(monkeypatch, tmp_path):
    """With a thread per CPU the compiler's peak memory on a large booklet changes from one compile to the next
    (bench/pdf_memory.py); the render asks for one layout thread."""
    monkeypatch.delenv("RAYON_NUM_THREADS", raising=False)
    assert _run_compile_script(monkeypatch, tmp_path) == b"%PDF-1.7 stand-in"
    assert _RecordingCompiler.seen == ["1"]


def test_an_operator_may_give_the_compiler_more_layout_threads(monkeypatch, tmp_path):
    monkeypatch.setenv("RAYON_NUM_THREADS", "4")
    _run_compile_script(monkeypatch, tmp_path)
    assert _RecordingCompiler.seen == ["4"]


def test_the_compiler_keeps_large_blocks_mapped_at_a_fixed_threshold(monkeypatch, tmp_path):
    """glibc's moving threshold left the compiler's grown vectors in its heap: the 300-session booklet peaked
    at 297 MiB, not 262 (bench/pdf_memory.py); the script fixes the threshold before the compiler runs."""
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    assert _run_compile_script(monkeypatch, tmp_path) == b"%PDF-1.7 stand-in"
    assert _RecordingLibrary.settings == [(-3, 128 * 1024)]  # M_MMAP_THRESHOLD in glibc's malloc.h


def test_an_operator_may_set_the_allocators_threshold(monkeypatch, tmp_path):
    monkeypatch.setenv("MALLOC_MMAP_THRESHOLD_", "65536")  # read by glibc when the process starts
    _run_compile_script(monkeypatch, tmp_path)
    assert _RecordingLibrary.settings is None


def test_a_c_library_without_mallopt_still_compiles(monkeypatch, tmp_path):
    monkeypatch.delenv("MALLOC_MMAP_THRESHOLD_", raising=False)
    no_mallopt = _run_compile_script(monkeypatch, tmp_path, c_library=lambda _name: types.SimpleNamespace())
    assert no_mallopt == b"%PDF-1.7 stand-in"
