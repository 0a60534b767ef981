import datetime
import zoneinfo

import pytest
from icalendar import Calendar

from core import ical

GREEK = "Μετανάστευση και ανάπτυξη: ένταξη, προστασία και αποδοχή των μεταναστών στην κοινωνία"
ARABIC = "الهجرة والتنمية: الإدماج والحماية وقبول المهاجرين في المجتمع"
EMOJI = "Migration 🌍🤝 development 👩‍👩‍👧 " * 4


def physical_lines(data):
    return data.split(b"\r\n")


def unfold(data):
    return data.replace(b"\r\n ", b"")


@pytest.mark.parametrize("title", [GREEK, ARABIC, EMOJI, "a" * 200, "é" * 100])
def test_fold_keeps_lines_within_75_octets_and_characters_whole(title):
    line = f"SUMMARY;LANGUAGE=el:{ical.text(title)}"

    folded = ical.fold(line)

    lines = physical_lines(folded)
    assert len(lines) > 1
    assert max(len(part) for part in lines) <= 75
    assert all(part.startswith(b" ") for part in lines[1:])
    assert [part.decode() for part in lines]  # each line on its own is whole UTF-8: no character cut in two
    assert unfold(folded).decode() == line


def test_fold_fills_lines_to_75_octets():
    folded = ical.fold("DESCRIPTION:" + "x" * 300)

    assert [len(part) for part in physical_lines(folded)] == [75, 75, 75, 75, 16]


def test_short_line_is_not_folded():
    assert ical.fold("UID:" + "x" * 71) == b"UID:" + b"x" * 71


@pytest.mark.parametrize("lead", range(60, 80))
def test_fold_never_parts_a_backslash_from_the_character_it_escapes(lead):
    line = "DESCRIPTION:" + "a" * lead + ical.text("\\,;\n" * 20)

    folded = ical.fold(line)

    for part in physical_lines(folded)[:-1]:
        backslashes = len(part) - len(part.rstrip(b"\\"))
        assert backslashes % 2 == 0, part
    assert unfold(folded).decode() == line


def test_text_escapes_backslash_semicolon_comma_and_line_breaks():
    assert ical.text("a,b;c\\d\ne\r\nf\rg\th") == "a\\,b\\;c\\\\d\\ne\\nf\\ng\th"


def test_text_leaves_out_control_characters():
    assert ical.text("bell\x07 null\x00 escape\x1b end") == "bell null escape end"


def test_unescaped_text_keeps_commas_and_makes_one_line():
    assert ical.unescaped_text("Athens, 2009;\nGreece\x07") == "Athens, 2009; Greece"


def test_texts_escape_each_value_and_separate_them_with_commas():
    assert ical.texts(["Gender", "Labour, skills", "Rights; duties"]) == "Gender,Labour\\, skills,Rights\\; duties"


def test_content_line_quotes_parameter_values_that_need_it():
    assert ical.content_line("LOCATION", "Room A", altrep="https://example.org/?q=1", language="en") == (
        b'LOCATION;ALTREP="https://example.org/?q=1";LANGUAGE=en:Room A'
    )


def test_times_are_written_without_fractions_in_utc_or_on_the_local_clock():
    athens = zoneinfo.ZoneInfo("Europe/Athens")
    moment = datetime.datetime(2009, 11, 2, 23, 30, 15, 999999, tzinfo=athens)

    assert ical.utc_time(moment) == "20091102T213015Z"
    assert ical.local_time(moment) == "20091102T233015"


@pytest.mark.parametrize(
    ("delta", "written"),
    [
        (datetime.timedelta(hours=1), "PT1H"),
        (datetime.timedelta(days=1, minutes=30), "P1DT30M"),
        (datetime.timedelta(seconds=90), "PT1M30S"),
        (datetime.timedelta(days=2), "P2D"),
        (datetime.timedelta(0), "PT0S"),
    ],
)
def test_duration(delta, written):
    assert ical.duration(delta) == written


@pytest.mark.parametrize(("name", "utc"), [("UTC", True), ("Etc/UTC", True), ("Europe/London", False)])
def test_is_utc(name, utc):
    assert ical.is_utc(zoneinfo.ZoneInfo(name)) is utc


def test_new_york_vtimezone_starts_each_change_on_the_clock_before_it():
    zone = zoneinfo.ZoneInfo("America/New_York")

    lines = ical.vtimezone(zone, datetime.date(2009, 1, 1), datetime.date(2010, 12, 31))

    assert lines == [
        "BEGIN:VTIMEZONE",
        "TZID:America/New_York",
        "BEGIN:STANDARD",
        "DTSTART:20090101T000000",
        "TZNAME:EST",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0500",
        "END:STANDARD",
        "BEGIN:DAYLIGHT",
        "DTSTART:20090308T020000",  # 02:00 EST, when the clocks go to 03:00 EDT
        "RDATE:20100314T020000",
        "TZNAME:EDT",
        "TZOFFSETFROM:-0500",
        "TZOFFSETTO:-0400",
        "END:DAYLIGHT",
        "BEGIN:STANDARD",
        "DTSTART:20091101T020000",  # 02:00 EDT, when the clocks go back to 01:00 EST
        "RDATE:20101107T020000",
        "TZNAME:EST",
        "TZOFFSETFROM:-0400",
        "TZOFFSETTO:-0500",
        "END:STANDARD",
        "END:VTIMEZONE",
    ]


@pytest.mark.parametrize(
    "name", ["Europe/Athens", "America/New_York", "Asia/Manila", "Africa/Casablanca", "Asia/Dhaka"]
)
def test_vtimezone_gives_the_zone_offsets_at_every_hour(name):
    zone = zoneinfo.ZoneInfo(name)
    first, last = datetime.date(2008, 1, 1), datetime.date(2011, 12, 31)
    lines = ical.vtimezone(zone, first, last)
    # Under a name of its own, so that the reader goes by the VTIMEZONE, not by its own copy of the zone.
    tzid = f"Test/{name.replace('/', '-')}-{id(lines)}"
    text = "\r\n".join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR", ""]).replace(f"TZID:{name}", f"TZID:{tzid}")

    [component] = Calendar.from_ical(text).walk("VTIMEZONE")
    written = component.to_tz()

    moment = datetime.datetime(2009, 1, 1, tzinfo=datetime.UTC)
    wrong = []
    while moment < datetime.datetime(2011, 1, 1, tzinfo=datetime.UTC):
        if moment.astimezone(written).utcoffset() != moment.astimezone(zone).utcoffset():
            wrong.append(moment)
        moment += datetime.timedelta(hours=1)
    assert wrong == []
