"""The public contribution form in headless Chromium, with and without JavaScript.

The ``page`` and ``page_without_js`` fixtures come from tests/browser/conftest.py.
"""

import pytest
from playwright.sync_api import expect

from contributions.models import Contribution
from tests.contributions.factories import pdf_bytes
from tests.factories import make_roundtable, make_session, make_theme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FORM = "/en/contribute/"


@pytest.fixture
def programme():
    roundtable = make_roundtable(title="Engaging diasporas", slug="engaging-diasporas")
    session = make_session(roundtable=roundtable, title="Diaspora investment", slug="diaspora-investment")
    return {"session": session, "theme": make_theme(name="Diaspora", slug="diaspora")}


def _fill_required(page, programme):
    page.select_option("#id_target", value=f"session:{programme['session'].pk}")
    page.fill("#id_organisation_name", "Migrant Voices")
    page.select_option("#id_organisation_kind", value="diaspora")
    page.fill("#id_country", "Greece")
    page.fill("#id_contact_name", "Ana Pérez")
    page.fill("#id_contact_email", "ana@example.org")
    page.fill("#id_title", "Savings groups of the diaspora")
    page.fill("#id_summary", "We run savings groups with migrants.")
    page.fill("#id_practices-0-country", "Albania")
    page.fill("#id_practices-0-actors", "Migrant associations")
    page.fill("#id_practices-0-description", "Monthly savings meetings.")
    page.fill("#id_practices-0-lesson", "Trust grows with regular meetings.")


def test_contribution_is_sent_with_an_added_practice_and_a_pdf_without_javascript(
    page_without_js, live_server, programme, tmp_path
):
    page = page_without_js
    pdf = tmp_path / "paper.pdf"
    pdf.write_bytes(pdf_bytes())
    page.goto(FORM)
    _fill_required(page, programme)
    page.get_by_label("Diaspora").check()

    page.get_by_role("button", name="Add another good practice").click()
    expect(page.locator("fieldset.practice")).to_have_count(3)
    expect(page.locator("#id_title")).to_have_value("Savings groups of the diaspora")
    expect(page.locator("#id_practices-0-country")).to_have_value("Albania")
    expect(page.get_by_label("Diaspora")).to_be_checked()
    page.fill("#id_practices-2-country", "Italy")
    page.fill("#id_practices-2-actors", "A trade union")
    page.fill("#id_practices-2-description", "Language classes.")
    page.fill("#id_practices-2-lesson", "Start small.")
    page.set_input_files("#id_document", str(pdf))
    page.get_by_role("button", name="Send the contribution").click()

    expect(page).to_have_url(f"{live_server.url}/en/contribute/thanks/")
    expect(page.locator("h1")).to_have_text("Thank you for your contribution")
    contribution = Contribution.objects.get()
    assert (contribution.status, contribution.title, contribution.session) == (
        "pending",
        "Savings groups of the diaspora",
        programme["session"],
    )
    assert [p.country for p in contribution.practices.order_by("position")] == ["Albania", "Italy"]
    assert list(contribution.themes.all()) == [programme["theme"]]
    assert contribution.document.read() == pdf.read_bytes()


def test_form_errors_show_next_to_the_fields_and_keep_the_typing(page, live_server, programme):
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.goto(FORM)
    _fill_required(page, programme)
    page.fill("#id_contact_email", "not-an-address")

    page.get_by_role("button", name="Send the contribution").click()

    expect(page.locator("#id_contact_email_error")).to_have_text("Enter a valid email address.")
    expect(page.locator("#id_contact_email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_summary")).to_have_value("We run savings groups with migrants.")
    expect(page.locator("#id_target")).to_have_value(f"session:{programme['session'].pk}")
    assert Contribution.objects.count() == 0
    assert problems == []


def test_honeypot_is_out_of_sight_and_the_form_is_styled(page, live_server, programme):
    page.goto(FORM)

    box = page.locator("#id_website").bounding_box()
    border = page.evaluate("getComputedStyle(document.querySelector('#id_title')).borderTopStyle")
    assert box["x"] + box["width"] < 0
    assert border == "solid"
