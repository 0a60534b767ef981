"""Slugs filled in from a title as the organiser types: cut to the field's length in every row, and a slug
typed by hand is kept while the title changes."""

import pytest
from playwright.sync_api import expect

from sessions.models import Session
from tests.browser.test_admin_editing import _collect_problems, _log_in
from tests.factories import make_roundtable, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG_TITLE = (
    "Protection of migrant workers and their families in countries of origin, transit and destination "
    "along the corridors"
)  # 117 characters: its slug would be too, and a slug holds 80


def _type_at_end(locator, text):
    locator.focus()
    locator.press("End")
    locator.press_sequentially(text)


def test_a_session_added_under_its_roundtable_gets_a_slug_that_fits(page, live_server, organiser):
    roundtable = make_roundtable(number=1)
    make_session(roundtable=roundtable, number=1, slug="first")
    problems = _collect_problems(page)
    _log_in(page, organiser, f"/admin/roundtables/roundtable/{roundtable.pk}/change/")

    page.locator("#sessions-group .add-row a").click()
    page.locator('input[name="sessions-1-number"]').fill("2")
    _type_at_end(page.locator('input[name="sessions-1-title_en"]'), LONG_TITLE)
    slug = page.locator('input[name="sessions-1-slug"]')

    expect(slug).to_have_value("protection-of-migrant-workers-and-their-families-in-countries-of-origin-transit")
    page.locator('input[name="_save"]').click()
    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    assert Session.objects.get(roundtable=roundtable, number=2).slug == (
        "protection-of-migrant-workers-and-their-families-in-countries-of-origin-transit"
    )
    assert problems == []


def test_a_slug_typed_by_hand_is_kept_while_the_title_changes(page, live_server, organiser):
    roundtable = make_roundtable(number=1)
    problems = _collect_problems(page)
    _log_in(page, organiser, f"/admin/programme_sessions/session/add/?roundtable={roundtable.pk}")
    title, slug = page.locator("#id_title_en"), page.locator("#id_slug")

    _type_at_end(title, "Engaging diasporas")
    expect(slug).to_have_value("engaging-diasporas")
    _type_at_end(slug, "-in-development")
    _type_at_end(title, " as agents of development")
    expect(slug).to_have_value("engaging-diasporas-in-development")
    slug.fill("")
    _type_at_end(slug, "diasporas")
    _type_at_end(title, " and partners")

    expect(title).to_have_value("Engaging diasporas as agents of development and partners")
    expect(slug).to_have_value("diasporas")
    assert problems == []


def test_a_slug_typed_by_hand_in_a_new_row_is_kept(page, live_server, organiser):
    roundtable = make_roundtable(number=1)
    problems = _collect_problems(page)
    _log_in(page, organiser, f"/admin/roundtables/roundtable/{roundtable.pk}/change/")

    for _row in range(2):
        page.locator("#sessions-group .add-row a").click()
    first_title, first_slug = (page.locator(f'input[name="sessions-0-{name}"]') for name in ("title_en", "slug"))
    second_title, second_slug = (page.locator(f'input[name="sessions-1-{name}"]') for name in ("title_en", "slug"))
    _type_at_end(first_title, "Reintegration")
    _type_at_end(second_title, "Remittances")
    _type_at_end(second_slug, "-and-savings")
    _type_at_end(second_title, " and investment")
    _type_at_end(first_title, " of returnees")

    expect(first_slug).to_have_value("reintegration-of-returnees")
    expect(second_slug).to_have_value("remittances-and-savings")
    assert problems == []
