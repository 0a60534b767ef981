"""Whole journeys through the admin, clicking and typing as the committee does: an organiser enters a
two-theme forum with a shared action paper in three languages; a coordinator adds a person from a session's
page; an organiser moves a forum to another time zone and its sessions keep their local times."""

import datetime

import pytest
from django.utils import translation
from playwright.sync_api import expect

from roundtables.models import Forum, Status
from sessions.models import Document, Participation, Person, Session
from tests.browser.test_admin_editing import _collect_problems, _log_in
from tests.factories import forum_time, make_forum, make_roundtable, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A file the upload check takes for a PDF (it starts like one), different in each language.
PAPER = {
    "en": b"%PDF-1.4\n% Action paper, English\n%%EOF\n",
    "fr": b"%PDF-1.4\n% Document d'action, francais\n%%EOF\n",
    "es": b"%PDF-1.4\n% Documento de accion, espanol\n%%EOF\n",
}
THEMES = [
    ("Doing protection of migrant workers", "Working session on recruitment", "2016-12-08", "09:00", "10:30"),
    ("Diaspora and development", "Working session on remittances", "2016-12-09", "14:15", "15:45"),
]


def _public_url(obj, language):
    with translation.override(language):
        return obj.get_absolute_url()


def _when_on_public_page(page):
    """The start and end a session page gives, as the datetime attributes of its two <time> elements."""
    return page.locator(".facts time").evaluate_all("times => times.map(time => time.getAttribute('datetime'))")


def _fill_time(page, name, day, time):
    page.locator(f'input[name="{name}_0"]').fill(day)
    page.locator(f'input[name="{name}_1"]').fill(time)


def _run_action(page, action):
    page.locator("#action-toggle").check()
    page.locator('select[name="action"]').select_option(action)
    page.locator('button[name="index"]').click()


def test_organiser_enters_a_two_theme_forum_with_a_shared_action_paper_in_three_languages(page, live_server, organiser):
    problems = _collect_problems(page)
    _log_in(page, organiser, "/admin/roundtables/forum/add/")
    expect(page.locator("h1")).to_have_text("Add forum")

    # The forum, its names for its groups, and its two themes.
    page.locator("#id_name_en").press_sequentially("GFMD Civil Society Days 2016")
    expect(page.locator("#id_slug")).to_have_value("gfmd-civil-society-days-2016")
    page.locator("#id_slug").fill("dhaka-2016")
    page.locator("#id_city_en").fill("Dhaka")
    page.locator("#id_country_en").fill("Bangladesh")
    page.locator("#id_starts_on").fill("2016-12-08")
    page.locator("#id_ends_on").fill("2016-12-09")
    page.locator("#id_time_zone").select_option("Asia/Dhaka")
    page.get_by_text("What this forum calls its roundtables and sessions").click()
    for field, value in {
        "group_name_en": "Theme",
        "group_name_fr": "Thème",
        "group_name_es": "Tema",
        "group_name_plural_en": "Themes",
        "group_name_plural_fr": "Thèmes",
        "group_name_plural_es": "Temas",
    }.items():
        page.locator(f"#id_{field}").fill(value)
    for row, (title, *_rest) in enumerate(THEMES):
        page.locator("#roundtables-group .add-row a").click()
        page.locator(f'input[name="roundtables-{row}-number"]').fill(str(row + 1))
        page.locator(f'input[name="roundtables-{row}-title_en"]').press_sequentially(title)
    page.locator('input[name="_continue"]').click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    forum = Forum.objects.get(slug="dhaka-2016")
    forum_change = page.url

    # A session in each theme, at local Dhaka times.
    for row, (title, session_title, day, start, end) in enumerate(THEMES):
        page.goto(forum_change)
        page.locator(f"#roundtables-{row} a.inlinechangelink").click()
        expect(page.locator('input[name="title_en"]')).to_have_value(title)
        expect(page.locator("#content")).to_contain_text("Times on this page are in Asia/Dhaka")
        page.locator("#sessions-group .add-row a").click()
        page.locator('input[name="sessions-0-number"]').fill("1")
        page.locator('input[name="sessions-0-title_en"]').press_sequentially(session_title)
        _fill_time(page, "sessions-0-starts_at", day, start)
        _fill_time(page, "sessions-0-ends_at", day, end)
        page.locator('input[name="_continue"]').click()
        expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    sessions = list(Session.objects.filter(roundtable__forum=forum).order_by("roundtable__number"))
    assert [(s.code, s.title) for s in sessions] == [("1.1", THEMES[0][1]), ("2.1", THEMES[1][1])]

    # One action paper, in three languages, attached to both sessions.
    page.goto(forum_change)
    page.get_by_role("link", name="Add a document").click()
    expect(page.locator("h1")).to_have_text("Add document")
    page.locator("#id_title_en").fill("Action paper: protection and development")
    page.locator("#id_kind").select_option(label="Action paper")
    for session in sessions:
        page.locator("#id_sessions_from").select_option(label=f"{session.code} {session.title}")
        page.locator("#id_sessions_add").click()
    for row, language in enumerate(["en", "fr", "es"]):
        expect(page.locator(f'select[name="files-{row}-language"]')).to_have_value(language)
        page.locator(f'input[name="files-{row}-file"]').set_input_files(
            {"name": f"action-paper-{language}.pdf", "mimeType": "application/pdf", "buffer": PAPER[language]}
        )
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    document = Document.objects.get()
    assert document.kind == Document.Kind.ACTION_PAPER
    assert sorted(document.sessions.values_list("pk", flat=True)) == [s.pk for s in sessions]
    assert sorted(document.files.values_list("language", flat=True)) == ["en", "es", "fr"]

    # Published: the forum, then its sessions.
    page.goto("/admin/roundtables/forum/")
    _run_action(page, "publish")
    expect(page.locator(".messagelist .success")).to_contain_text("Published “GFMD Civil Society Days 2016”")
    page.goto("/admin/programme_sessions/session/")
    _run_action(page, "publish")
    expect(page.locator(".messagelist .success")).to_have_text("Published 2 sessions: 1.1, 2.1.")
    forum.refresh_from_db()
    assert (forum.status, forum.group_name_fr, forum.group_name_plural_es) == (Status.PUBLISHED, "Thème", "Temas")

    # Delegates, in each language, find the paper on both sessions' pages, in their language, at the times typed.
    others = {"en": ["fr", "es"], "fr": ["en", "es"], "es": ["en", "fr"]}
    for session, (_title, _session_title, day, start, end) in zip(sessions, THEMES, strict=True):
        for language in ["en", "fr", "es"]:
            page.goto(_public_url(session, language))
            expect(page.locator("h1")).to_have_text(f"{session.code} {session.title}")
            assert _when_on_public_page(page) == [f"{day}T{start}:00+06:00", f"{day}T{end}:00+06:00"]
            expect(page.locator(".facts")).to_contain_text(f"{start}–{end} (Asia/Dhaka)")
            papers = page.locator("ul.document-list > li")
            expect(papers).to_have_count(1)
            link = papers.locator("> a")
            expect(link).to_have_text("Action paper: protection and development")
            expect(link).to_have_attribute("hreflang", language)
            with translation.override(language):
                own = document.files.get(language=language).get_absolute_url()
                offered = [document.files.get(language=other).get_absolute_url() for other in others[language]]
            expect(link).to_have_attribute("href", own)
            assert papers.locator(".document-languages a").evaluate_all(
                "links => links.map(link => [link.getAttribute('hreflang'), link.getAttribute('href')])"
            ) == [[other, url] for other, url in zip(others[language], offered, strict=True)]
            assert page.request.get(own).body() == PAPER[language]
    expect(page.locator("nav.breadcrumbs")).to_contain_text("Tema 2")
    assert problems == []


def test_coordinator_adds_a_person_from_their_sessions_page_and_gives_them_a_role(page, live_server, coordinator):
    roundtable = make_roundtable(number=1, title="Doing protection of migrant workers")
    roundtable.coordinators.add(coordinator)
    session = make_session(roundtable=roundtable, number=1, title="Working session on recruitment")
    problems = _collect_problems(page)
    _log_in(page, coordinator, f"/admin/programme_sessions/session/{session.pk}/change/")
    expect(page.locator("h1")).to_have_text("Change session")

    page.locator("#participations-group .add-row a").click()
    with page.expect_popup() as popup_info:
        page.locator("#add_id_participations-0-person").click()
    popup = popup_info.value
    expect(popup.locator("h1")).to_have_text("Add person")
    popup.locator("#id_name").press_sequentially("Farida Akhter")
    expect(popup.locator("#id_slug")).to_have_value("farida-akhter")
    with popup.expect_event("close"):
        popup.locator('input[name="_save"]').click()

    person = Person.objects.get()
    expect(page.locator('select[name="participations-0-person"] option:checked')).to_have_text("Farida Akhter")
    expect(page.locator('select[name="participations-0-person"]')).to_have_value(str(person.pk))
    page.locator('select[name="participations-0-role"]').select_option(Participation.Role.SPEAKER)
    page.locator('input[name="_continue"]').click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    expect(page.locator('select[name="participations-0-person"] option:checked')).to_have_text("Farida Akhter")
    assert (person.name, person.slug, person.organisation) == ("Farida Akhter", "farida-akhter", None)
    assert list(session.participations.values_list("person__name", "role")) == [("Farida Akhter", "speaker")]
    assert problems == []


def test_organiser_changes_a_forums_time_zone_and_the_sessions_keep_their_local_times(page, live_server, organiser):
    forum = make_forum(
        name="GFMD Civil Society Days 2017",
        starts_on=datetime.date(2016, 12, 8),
        ends_on=datetime.date(2016, 12, 9),
        time_zone="Asia/Dhaka",
    )
    roundtable = make_roundtable(forum=forum, number=1)
    first = make_session(
        roundtable=roundtable, number=1, starts_at=forum_time(forum, 0, 9), ends_at=forum_time(forum, 0, 10, 30)
    )
    make_session(
        roundtable=roundtable, number=2, starts_at=forum_time(forum, 1, 14, 15), ends_at=forum_time(forum, 1, 15, 45)
    )
    problems = _collect_problems(page)
    _log_in(page, organiser, f"/admin/roundtables/forum/{forum.pk}/change/")
    expect(page.locator("h1")).to_have_text("Change forum")
    expect(page.locator("#id_time_zone")).to_have_value("Asia/Dhaka")

    page.locator("#id_time_zone").select_option("Europe/Berlin")
    page.locator('input[name="_continue"]').click()

    expect(page.locator(".messagelist .info")).to_have_text(
        "Time zone changed from Asia/Dhaka to Europe/Berlin: 2 sessions kept their local times."
    )
    expect(page.locator("#id_time_zone")).to_have_value("Europe/Berlin")
    page.goto(_public_url(first, "en"))
    assert _when_on_public_page(page) == ["2016-12-08T09:00:00+01:00", "2016-12-08T10:30:00+01:00"]
    expect(page.locator(".facts")).to_contain_text("09:00–10:30 (Europe/Berlin)")
    page.goto(f"/admin/programme_sessions/session/{first.pk}/change/")
    expect(page.locator("#content")).to_contain_text("Times on this page are in Europe/Berlin")
    values = [page.locator(f'input[name="{name}"]').input_value() for name in ("starts_at_0", "starts_at_1")]
    values += [page.locator(f'input[name="{name}"]').input_value() for name in ("ends_at_0", "ends_at_1")]
    assert values == ["2016-12-08", "09:00:00", "2016-12-08", "10:30:00"]
    first.refresh_from_db()
    assert first.starts_at == datetime.datetime(2016, 12, 8, 8, 0, tzinfo=datetime.UTC)
    assert problems == []
