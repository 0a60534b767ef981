"""The Athens 2009 demo programme in French and Spanish.

Next to each English text of the file sit its translations, `<field>_fr` and `<field>_es` (for a list of
sub-points, `points_fr` and `points_es` of the same length): every name and title, every theme, room and
document, and whole roundtables (background, sessions, issues, sub-points). The translations keep the
English Markdown and numbers and the length limits of the columns they are stored in.
"""

import json
import re
from pathlib import Path

from roundtables.models import (
    BACKGROUND_MAX,
    FORUM_DESCRIPTION_MAX,
    NAME_MAX,
    PLACE_MAX,
    THEME_DESCRIPTION_MAX,
    THEME_NAME_MAX,
    TITLE_MAX,
)
from sessions.models import DOCUMENT_DESCRIPTION_MAX, ISSUE_TEXT_MAX, ROOM_NAME_MAX

ATHENS = Path(__file__).resolve().parents[2] / "roundtables" / "data" / "athens-2009.json"
LANGUAGES = ("fr", "es")
# Roundtables whose backgrounds, session backgrounds, issues and sub-points are translated as well.
FULLY_TRANSLATED = [1, 2, 3]
# The last sentence of the forum's description in each language.
UNOFFICIAL = {
    "description": "The French and Spanish versions of this programme are an unofficial translation made for the "
    "portal, not texts of the organising committee.",
    "description_fr": "Les versions française et espagnole de ce programme sont une traduction non officielle "
    "réalisée pour le portail, et non des textes du comité d’organisation.",
    "description_es": "Las versiones en francés y en español de este programa son una traducción no oficial "
    "realizada para el portal y no textos del comité organizador.",
}
# Translations that are rightly spelt as in English.
SAME_AS_ENGLISH = {("fr", "Diaspora")}
# The English programme as transcribed from the concept note: per roundtable, per session, the number of
# sub-points of each issue.
SHAPE = {
    1: [[2, 3, 2], [2, 0, 3], [0, 0, 0]],
    2: [[4, 2, 5], [0, 0, 0, 0, 3, 1, 2, 2, 7]],
    3: [[1, 1, 1], [1, 1, 1, 0], [1, 1]],
}


def _programme():
    return json.loads(ATHENS.read_text(encoding="utf-8"))


def _roundtable(programme, number):
    return next(item for item in programme["roundtables"] if item["number"] == number)


def _names(programme):
    """(where, object, field, limit) for every name, title and description that must be translated."""
    forum = programme["forum"]
    yield "forum", forum, "name", NAME_MAX
    yield "forum", forum, "city", PLACE_MAX
    yield "forum", forum, "country", PLACE_MAX
    yield "forum", forum, "description", FORUM_DESCRIPTION_MAX
    for room in programme["rooms"]:
        yield f"room {room['name']}", room, "name", ROOM_NAME_MAX
    for theme in programme["themes"]:
        yield f"theme {theme['slug']}", theme, "name", THEME_NAME_MAX
        yield f"theme {theme['slug']}", theme, "description", THEME_DESCRIPTION_MAX
    for position, document in enumerate(programme["documents"], start=1):
        yield f"document {position}", document, "title", TITLE_MAX
        if document.get("description"):
            yield f"document {position}", document, "description", DOCUMENT_DESCRIPTION_MAX
    for roundtable in programme["roundtables"]:
        yield f"roundtable {roundtable['number']}", roundtable, "title", TITLE_MAX
        for session in roundtable["sessions"]:
            yield f"session {roundtable['number']}.{session['number']}", session, "title", TITLE_MAX


def _contents(roundtable):
    """(where, object, field, limit) for a roundtable's backgrounds and issue texts (sub-points aside)."""
    number = roundtable["number"]
    if roundtable.get("background"):
        yield f"roundtable {number}", roundtable, "background", BACKGROUND_MAX
    for session in roundtable["sessions"]:
        code = f"{number}.{session['number']}"
        if session.get("background"):
            yield f"session {code}", session, "background", BACKGROUND_MAX
        for position, issue in enumerate(session["issues"], start=1):
            yield f"issue {code}/{position}", issue, "text", ISSUE_TEXT_MAX


def _issues(roundtable):
    for session in roundtable["sessions"]:
        for position, issue in enumerate(session["issues"], start=1):
            yield f"issue {roundtable['number']}.{session['number']}/{position}", issue


def _translations(programme):
    """(where, language, English, translation, limit) for every translation the file holds."""
    texts = list(_names(programme))
    for roundtable in programme["roundtables"]:
        texts += _contents(roundtable)
    for where, item, field, limit in texts:
        for language in LANGUAGES:
            if f"{field}_{language}" in item:
                yield f"{where} {field}_{language}", language, item[field], item[f"{field}_{language}"], limit
    for roundtable in programme["roundtables"]:
        for where, issue in _issues(roundtable):
            for language in LANGUAGES:
                for position, (english, translation) in enumerate(
                    zip(issue["points"], issue.get(f"points_{language}", []), strict=False), start=1
                ):
                    yield f"{where} point {position} {language}", language, english, translation, ISSUE_TEXT_MAX


def test_the_programme_file_is_valid_json():
    assert isinstance(_programme(), dict)


def test_the_english_programme_keeps_its_roundtables_sessions_issues_and_points():
    programme = _programme()
    shape = {
        roundtable["number"]: [[len(issue["points"]) for issue in session["issues"]] for session in sessions]
        for roundtable in programme["roundtables"]
        for sessions in [roundtable["sessions"]]
    }
    assert shape == SHAPE
    assert [len(programme[key]) for key in ("rooms", "themes", "documents")] == [3, 12, 1]


def test_every_name_title_theme_room_and_document_has_a_french_and_a_spanish_text():
    missing = [
        f"{where} {field}_{language}"
        for where, item, field, _limit in _names(_programme())
        for language in LANGUAGES
        if not (isinstance(item.get(f"{field}_{language}"), str) and item[f"{field}_{language}"].strip())
    ]
    assert missing == []


def test_the_fully_translated_roundtables_have_every_background_issue_and_sub_point_translated():
    programme = _programme()
    missing = []
    for number in FULLY_TRANSLATED:
        roundtable = _roundtable(programme, number)
        for where, item, field, _limit in _contents(roundtable):
            for language in LANGUAGES:
                value = item.get(f"{field}_{language}")
                if not (isinstance(value, str) and value.strip()):
                    missing.append(f"{where} {field}_{language}")
        for where, issue in _issues(roundtable):
            for language in LANGUAGES:
                points = issue.get(f"points_{language}")
                if not isinstance(points, list) or len(points) != len(issue["points"]):
                    missing.append(f"{where} points_{language}")
                elif not all(isinstance(point, str) and point.strip() for point in points):
                    missing.append(f"{where} points_{language} (an empty point)")
    assert missing == []


def test_partly_translated_sub_points_are_never_shorter_or_longer_than_the_english_list():
    wrong = [
        f"{where} points_{language}"
        for roundtable in _programme()["roundtables"]
        for where, issue in _issues(roundtable)
        for language in LANGUAGES
        if f"points_{language}" in issue and len(issue[f"points_{language}"]) != len(issue["points"])
    ]
    assert wrong == []


def test_every_translation_sits_next_to_an_english_text():
    orphans = []

    def visit(value, where):
        if isinstance(value, dict):
            for key, item in value.items():
                base, _, language = key.rpartition("_")
                if language in LANGUAGES and base not in value:
                    orphans.append(f"{where}.{key}")
                visit(item, f"{where}.{key}")
        elif isinstance(value, list):
            for position, item in enumerate(value):
                visit(item, f"{where}[{position}]")

    visit(_programme(), "")
    assert orphans == []


def test_the_forum_description_says_in_each_language_that_the_translation_is_unofficial():
    forum = _programme()["forum"]
    assert {key: forum[key].endswith(" " + sentence) for key, sentence in UNOFFICIAL.items()} == {
        "description": True,
        "description_fr": True,
        "description_es": True,
    }
    assert "illustrative" in forum["description"]


def test_no_translation_is_the_english_text_copied():
    copied = [
        where
        for where, language, english, translation, _limit in _translations(_programme())
        if translation == english and (language, translation) not in SAME_AS_ENGLISH
    ]
    assert copied == []


def test_every_translation_fits_the_length_limit_of_its_column():
    too_long = [
        (where, len(translation), limit)
        for where, _language, _english, translation, limit in _translations(_programme())
        if len(translation) > limit
    ]
    assert too_long == []


def _markdown(text):
    """What makes a text's Markdown: paragraphs, list items, bold and italic markers."""
    lines = text.split("\n")
    return {
        "paragraphs": text.count("\n\n"),
        "items": sum(line.startswith("- ") for line in lines),
        "lettered": [line[:3] for line in lines if re.match(r"[a-z]\. ", line)],
        "bold": text.count("**"),
        "italic": text.count("*") - 2 * text.count("**"),
    }


def test_every_translation_keeps_the_english_markdown():
    changed = [
        where
        for where, _language, english, translation, _limit in _translations(_programme())
        if _markdown(translation) != _markdown(english)
    ]
    assert changed == []


def test_every_translation_keeps_the_numbers_of_the_english_text():
    lost = [
        (where, sorted(set(re.findall(r"\d+", english)) - set(re.findall(r"\d+", translation))))
        for where, _language, english, translation, _limit in _translations(_programme())
        if set(re.findall(r"\d+", english)) - set(re.findall(r"\d+", translation))
    ]
    assert lost == []


def test_translations_use_typographic_apostrophes_and_quotes():
    straight = [
        where
        for where, _language, _english, translation, _limit in _translations(_programme())
        if "'" in translation or '"' in translation
    ]
    assert straight == []


def test_french_puts_a_space_before_double_punctuation_and_inside_guillemets():
    cramped = [
        where
        for where, language, _english, translation, _limit in _translations(_programme())
        if language == "fr" and re.search(r"[^\s][?!;:»]|«[^\s]", translation)
    ]
    assert cramped == []


def test_spanish_opens_every_question_and_exclamation():
    unopened = [
        where
        for where, language, _english, translation, _limit in _translations(_programme())
        if language == "es" and [translation.count(mark) for mark in "¿¡"] != [translation.count(mark) for mark in "?!"]
    ]
    assert unopened == []
