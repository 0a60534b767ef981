"""Handouts and the booklet give each session's address on the portal; handouts add a QR code of it."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation
from pypdf import PdfReader

from sessions.pdf import content, document, render
from sessions.qr import qr_svg
from tests.factories import make_forum, make_roundtable, make_session

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def lima(db, settings):
    settings.PORTAL_URL = "https://portal.example.org"
    forum = make_forum(slug="lima-2099", city="Lima", country="Peru", time_zone="America/Lima")
    roundtable = make_roundtable(forum=forum, number=2, slug="labour")
    return {
        "forum": forum,
        "roundtable": roundtable,
        "first": make_session(roundtable=roundtable, number=1, title="Fair recruitment", slug="fair-recruitment"),
        "second": make_session(roundtable=roundtable, number=2, title="Decent work", slug="decent-work"),
    }


def sessions_of(kind, obj, language="en"):
    """The sessions the PDF shows, as its layout gets them (``sessions.pdf.document``)."""
    export = content.export_for(kind, obj, language=language)
    with translation.override(language):
        data = document.document_data(export, content.template_context(export))
    if kind == content.SESSION:
        return [data["session"]]
    return [session for roundtable in data["roundtables"] for session in roundtable["sessions"]]


def test_a_session_handout_gives_its_address_and_a_qr_code_of_it(lima):
    [session] = sessions_of(content.SESSION, lima["first"])

    url = "https://portal.example.org/en/forums/lima-2099/roundtables/labour/fair-recruitment/"
    assert (session["url"], session["qr"]) == (url, qr_svg(url, title="QR code of this session's page", scale=2))
    assert session["qr"].count("<svg") == 1


def test_a_roundtable_handout_gives_each_session_its_address_and_qr_code(lima):
    sessions = sessions_of(content.ROUNDTABLE, lima["roundtable"])

    base = "https://portal.example.org/en/forums/lima-2099/roundtables/labour"
    assert [session["url"] for session in sessions] == [f"{base}/fair-recruitment/", f"{base}/decent-work/"]
    assert [session["qr"].startswith('<svg role="img"') for session in sessions] == [True, True]


def test_the_booklet_gives_each_session_its_address_without_qr_codes(lima):
    sessions = sessions_of(content.BOOKLET, lima["forum"])

    base = "https://portal.example.org/en/forums/lima-2099/roundtables/labour"
    assert [(session["url"], session["qr"]) for session in sessions] == [
        (f"{base}/fair-recruitment/", ""),
        (f"{base}/decent-work/", ""),
    ]


def test_a_french_handout_gives_the_french_page(lima):
    [session] = sessions_of(content.SESSION, lima["second"], language="fr")

    assert session["url"] == "https://portal.example.org/fr/forums/lima-2099/roundtables/labour/decent-work/"


def test_without_a_portal_address_nothing_is_printed(lima, settings):
    settings.PORTAL_URL = ""

    [session] = sessions_of(content.SESSION, lima["first"])

    assert (session["url"], session["qr"]) == ("", "")


def test_the_rendered_handout_carries_the_address_and_the_qr_code(lima):
    data = render.render_pdf(content.export_for(content.SESSION, lima["first"], language="en"))

    reader = PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "")
    links = [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if "/URI" in annotation.get_object().get("/A", {})
    ]
    assert "portal.example.org/en/forums/lima-2099/roundtables/labour/fair-recruitment/" in text
    assert "https://portal.example.org/en/forums/lima-2099/roundtables/labour/fair-recruitment/" in links
    assert len(reader.pages) == 1


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"ALLOWED_HOSTS": "portal.example.org,www.example.org", "HTTPS": "1"}, "https://portal.example.org"),
        ({"ALLOWED_HOSTS": ".example.org,localhost", "HTTPS": "0"}, "http://localhost"),
        ({"ALLOWED_HOSTS": "*", "HTTPS": "1"}, ""),
        (
            {"ALLOWED_HOSTS": "portal.example.org", "PORTAL_URL": "https://gfmd.example.net/"},
            "https://gfmd.example.net",
        ),
    ],
)
def test_the_portal_address_defaults_to_the_first_allowed_host(env, expected):
    clean = {key: value for key, value in os.environ.items() if key not in {"PORTAL_URL", "HTTPS", "ALLOWED_HOSTS"}}
    clean.update({"SECRET_KEY": "x" * 50, **env})
    code = "from django.conf import settings; print(repr(settings.PORTAL_URL))"

    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.stdout.strip().splitlines()[-1] == repr(expected), result.stderr
