"""Laying out a programme PDF: the HTML of ``content`` to PDF bytes with WeasyPrint.

WeasyPrint is imported inside the functions that use it, so that the web processes, which never
render a public PDF, do not load it until a staff preview asks for one. A render reads the
project's static files only (stylesheet and fonts), and writes a tagged PDF (PDF/UA-1) with its
fonts embedded. Two measures keep a large booklet (300 sessions, about 250 pages) in bounds: the
cyclic garbage collector is paused during the layout, and pydyf's page references are memoised
(for the pinned pydyf version only; see ``memoise_page_references``).
"""

import contextlib
import gc
import logging
import re
from importlib import metadata
from pathlib import Path

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .content import PdfUnavailable, template_context

logger = logging.getLogger(__name__)

STYLESHEET = "css/pdf.css"

# The pydyf version whose ``PDF.page_references`` the memo below was written for, pinned in
# requirements.txt. Another version renders without the memo (logged once here, at import): its
# page list may be kept differently, which the memo's key would not see.
PYDYF_VERSION = "0.13.0"
PYDYF_INSTALLED = metadata.version("pydyf")
if PYDYF_INSTALLED != PYDYF_VERSION:
    logger.warning(
        "pydyf %s is installed, not %s: PDFs are rendered without the page-reference memo (slower for a long "
        "booklet). Measure bench/pdf.py with and without it, then update PYDYF_VERSION or remove the memo.",
        PYDYF_INSTALLED,
        PYDYF_VERSION,
    )


# The translated words of the page margins ------------------------------------------------------


def _css_string(text):
    """``text`` as a quoted CSS string, safe inside a stylesheet."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ").replace("<", "\\3c ")
    return f'"{escaped}"'


def _counter_content(template):
    """CSS ``content`` for a translated "Page {page} of {pages}", keeping the language's word order."""
    parts = []
    for piece in re.split(r"(\{page\}|\{pages\})", template):
        if piece == "{page}":
            parts.append("counter(page)")
        elif piece == "{pages}":
            parts.append("counter(pages)")
        elif piece:
            parts.append(_css_string(piece))
    return " ".join(parts)


def _labels_css(export):
    """The translated words of the page margins, which a static stylesheet cannot carry."""
    footer = _counter_content(_("Page {page} of {pages}"))
    note = _("Preview with unpublished content, not for circulation") if export.preview else ""
    return (
        f"@page {{ @bottom-right {{ content: {footer}; }} }}\n"
        f"@page {{ @bottom-left {{ content: {_css_string(note)}; }} }}\n"
        f"@page cover {{ @bottom-right {{ content: none; }} }}\n"
    )


# WeasyPrint ------------------------------------------------------------------------------------


def _static_fetcher(roots):
    """A WeasyPrint URL fetcher that reads the project's static files (stylesheet, fonts) and nothing else.

    The programme's texts are Markdown rendered without images, but a PDF render must never reach
    the network or the rest of the disk whatever a template holds; a missing font or stylesheet
    fails the render rather than silently falling back to the system's fonts.
    """
    from urllib.parse import unquote, urlsplit

    from weasyprint.urls import URLFetcher

    roots = [Path(root).resolve() for root in roots]

    class StaticFileFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            path = Path(unquote(parts.path)).resolve() if parts.scheme == "file" else None
            if path is None or not any(path.is_relative_to(root) for root in roots):
                raise ValueError(f"PDF rendering may only read static files, not {url}")
            return super().fetch(url, headers)

    return StaticFileFetcher(allowed_protocols={"file"}, fail_on_errors=True)


_unmemoised_page_references = None  # pydyf's own getter, once the memo replaces it


def _memoised_page_references(pdf):
    """pydyf's ``PDF.page_references``, computed again only when a page has been added since."""
    kids = len(pdf.pages["Kids"])
    memo = pdf.__dict__.get("_gfmd_page_references")
    if memo is None or memo[0] != kids:
        memo = (kids, _unmemoised_page_references(pdf))
        pdf.__dict__["_gfmd_page_references"] = memo
    return memo[1]


def memoise_page_references():
    """Make pydyf's ``PDF.page_references`` constant-time, as tagging a long PDF needs; True once it is.

    pydyf 0.13 rebuilds the tuple of all page references on every access, and WeasyPrint's tagging
    reads it once per tagged box and link: quadratic in the pages. Measured with ``bench/pdf.py``
    on the 300-session booklet (255 pages, four cold renders each way), the memo takes a render
    from 14.0-15.2 s of CPU down to 12.9 s, for the same pages, outline, links and tags. The memo
    is keyed on the length of the page list, which pydyf 0.13 only ever appends to, so it is exact
    whenever a page is added. Applied once per process, and only on ``PYDYF_VERSION``; with another
    version (logged at import) PDFs render without it.
    """
    global _unmemoised_page_references
    import pydyf

    current = pydyf.PDF.__dict__.get("page_references")
    if isinstance(current, property) and current.fget is _memoised_page_references:
        return True
    if PYDYF_INSTALLED != PYDYF_VERSION or not isinstance(current, property):
        return False
    _unmemoised_page_references = current.fget
    pydyf.PDF.page_references = property(_memoised_page_references)
    return True


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Pause Python's cyclic garbage collector during a render, and collect once after it.

    WeasyPrint makes millions of objects (styles, boxes, text runs) that mostly live until the PDF
    is written, and the collector walks them again and again as they age: about a quarter of the
    CPU time of a 300-session booklet. Reference counting still frees what is dropped on the way;
    the render's cycles go in the one collection at the end. The switch is per process: a render
    in another thread meanwhile only makes the pause longer.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
            gc.collect()


def _weasyprint(html, labels, stylesheet):
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    fetcher = _static_fetcher([stylesheet.parent.parent])
    fonts = FontConfiguration()
    document = HTML(string=html, base_url=stylesheet.as_uri(), url_fetcher=fetcher)
    return document.write_pdf(
        stylesheets=[
            CSS(filename=stylesheet, font_config=fonts, url_fetcher=fetcher),
            CSS(string=labels, font_config=fonts, url_fetcher=fetcher),
        ],
        font_config=fonts,
        pdf_variant="pdf/ua-1",
        pdf_tags=True,
    )


def render_pdf(export):
    """Lay out the export with WeasyPrint and return the PDF bytes (tagged, fonts embedded).

    Raises PdfUnavailable when the stylesheet is missing, or for a public export of drafts.
    """
    memoise_page_references()
    stylesheet = finders.find(STYLESHEET)
    if not stylesheet:
        raise PdfUnavailable(f"The PDF stylesheet {STYLESHEET} is missing.")
    with translation.override(export.language):
        html = render_to_string(f"pdf/{export.kind}.html", template_context(export))
        labels = _labels_css(export)
    with _cyclic_gc_paused():
        return _weasyprint(html, labels, Path(stylesheet))
