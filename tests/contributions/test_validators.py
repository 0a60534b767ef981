import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from contributions.validators import validate_contribution_pdf
from tests.contributions.factories import pdf_bytes


def _refusal(name, content):
    with pytest.raises(ValidationError) as error:
        validate_contribution_pdf(SimpleUploadedFile(name, content))
    return error.value.code, error.value.messages


def test_a_real_pdf_is_accepted():
    assert validate_contribution_pdf(SimpleUploadedFile("paper.PDF", pdf_bytes())) is None


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body>hello</body></html>",
        b"  <script>alert(1)</script>",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"Plain text pretending.",
        b"\x89PNG\r\n\x1a\n\x00\x00",
    ],
)
def test_other_content_named_pdf_is_refused_with_the_reason(content):
    assert _refusal("paper.pdf", content) == (
        "content",
        ["“paper.pdf” is not a PDF document: its content does not start like one."],
    )


def test_other_extensions_are_refused_even_with_pdf_content():
    assert _refusal("paper.html", pdf_bytes()) == (
        "extension",
        ["Only PDF documents (.pdf) can be attached; “paper.html” is not one."],
    )


def test_files_over_the_limit_are_refused(settings):
    settings.CONTRIBUTION_MAX_UPLOAD_BYTES = 1024

    assert _refusal("paper.pdf", b"%PDF-1.4\n" + b"0" * 1100) == (
        "size",
        ["The file is 1.1\xa0KB; the largest accepted is 1.0\xa0KB."],
    )


def test_the_file_position_is_kept():
    upload = SimpleUploadedFile("paper.pdf", pdf_bytes())
    upload.seek(5)

    validate_contribution_pdf(upload)

    assert upload.tell() == 5
