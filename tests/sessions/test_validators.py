import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sessions.validators import validate_document_file


def test_pdf_content_is_accepted():
    validate_document_file(SimpleUploadedFile("paper.pdf", b"%PDF-1.7\n..."))


def test_utf8_text_is_accepted():
    validate_document_file(SimpleUploadedFile("note.txt", "Concept note – Athens".encode()))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("paper.pdf", b"<html><body>not a pdf</body></html>", "content"),
        ("paper.pdf", b"PK\x03\x04 zip archive", "content"),
        ("note.txt", b"\x00\x01binary", "content"),
        ("note.txt", b"<!DOCTYPE html><script>x</script>", "content"),
        ("page.html", b"<html></html>", "extension"),
        ("tool.exe", b"MZ", "extension"),
    ],
)
def test_wrong_content_is_refused_with_a_reason(name, content, code):
    with pytest.raises(ValidationError) as error:
        validate_document_file(SimpleUploadedFile(name, content))

    assert error.value.code == code


def test_oversized_file_is_refused(settings):
    settings.DOCUMENT_MAX_UPLOAD_BYTES = 10

    with pytest.raises(ValidationError) as error:
        validate_document_file(SimpleUploadedFile("paper.pdf", b"%PDF-1.7 and more than ten bytes"))

    assert error.value.code == "size"
