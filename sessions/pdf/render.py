"""Laying out a programme PDF: the programme of ``content`` to PDF bytes with Typst.

``document`` turns the export's programme into one JSON document; ``typst/programme.typ`` lays it
out. The compiler gets that JSON as ``sys.inputs.data`` and places its strings as text: no
programme text is ever read as Typst markup. It sees only the files of ``typst/`` (its root) and
the Noto Sans files of ``static/fonts`` (no system fonts, nor the compiler's own), and writes a
tagged PDF/UA-1 with those fonts embedded.

The compiler runs in a child process (``typst_compile.py``, see there why): this process reads the
programme and builds the JSON, the child lays it out and is gone with its memory.
"""

import json
import subprocess
import sys
from pathlib import Path

from django.contrib.staticfiles import finders
from django.utils import translation

from .content import PdfUnavailable, template_context
from .document import document_data

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "typst" / "programme.typ"
COMPILER = HERE / "typst_compile.py"
FONT = "fonts/NotoSans-Regular.ttf"  # a static file; its folder holds the four Noto Sans faces
TIMEOUT_SECONDS = 300  # a 300-session booklet takes about 3 s of CPU


class RenderFailed(RuntimeError):
    """Typst could not lay the PDF out (its message says why)."""


def fonts_dir():
    """The folder of the project's fonts (Noto Sans, static/fonts), the only fonts a PDF may use."""
    found = finders.find(FONT)
    if not found:
        raise PdfUnavailable(f"The PDF font {FONT} is missing.")
    return Path(found).parent


def compile_pdf(data):
    """``data`` (``document.document_data``) laid out by ``typst/programme.typ`` in a child process: the PDF bytes.

    Raises RenderFailed when Typst reports an error or the child does not finish in time.
    """
    payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
    command = [sys.executable, "-I", str(COMPILER), str(SOURCE), str(fonts_dir())]
    try:
        child = subprocess.run(command, input=payload, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except subprocess.TimeoutExpired as error:
        raise RenderFailed(f"Typst did not finish the PDF within {TIMEOUT_SECONDS} s.") from error
    if child.returncode != 0 or not child.stdout.startswith(b"%PDF-"):
        message = child.stderr.decode("utf-8", "replace").strip() or f"exit status {child.returncode}"
        raise RenderFailed(f"Typst could not lay out the PDF: {message}")
    return child.stdout


def render_pdf(export):
    """Lay out the export and return the PDF bytes (tagged PDF/UA-1, fonts embedded).

    Raises PdfUnavailable for a public export of drafts, or when the fonts are missing; RenderFailed
    when Typst fails.
    """
    with translation.override(export.language):
        data = document_data(export, template_context(export))
    return compile_pdf(data)
