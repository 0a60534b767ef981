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


# Markdown texts: full_clean (and so every model form) refuses a text too long or nested too deep.

DEEP = "> " * 11 + "x"
NESTING = "This text nests block quotes, lists or emphasis 11 levels deep; at most 10 are allowed."


def _markdown_records():
    from tests.factories import make_issue, make_person, make_session

    session = make_session()
    return {
        "forum.description": (session.roundtable.forum, "description", 5000),
        "roundtable.background": (session.roundtable, "background", 20000),
        "session.background": (session, "background", 20000),
        "issue.text": (make_issue(session=session), "text", 3000),
        "person.biography": (make_person(), "biography", 5000),
    }


MARKDOWN_FIELDS = ["forum.description", "roundtable.background", "session.background", "issue.text", "person.biography"]


@pytest.mark.parametrize("name", MARKDOWN_FIELDS)
def test_a_markdown_text_nested_too_deep_is_refused_by_full_clean(db, name):
    record, field, _limit = _markdown_records()[name]
    setattr(record, field, DEEP)

    with pytest.raises(ValidationError) as refused:
        record.full_clean()

    # Set through the field, the text is in its original column and in the active language's (English).
    assert refused.value.message_dict == {field: [NESTING], f"{field}_en": [NESTING]}


@pytest.mark.parametrize("name", MARKDOWN_FIELDS)
def test_a_markdown_text_one_character_too_long_is_refused_by_full_clean(db, name):
    record, field, limit = _markdown_records()[name]
    setattr(record, field, "x" * limit)
    record.full_clean()
    setattr(record, field, "x" * (limit + 1))

    with pytest.raises(ValidationError) as refused:
        record.full_clean()

    too_long = [f"Ensure this value has at most {limit} characters (it has {limit + 1})."]
    assert refused.value.message_dict == {field: too_long, f"{field}_en": too_long}
