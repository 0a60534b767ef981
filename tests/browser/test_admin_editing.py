"""An organiser edits a session's issues in the admin, reorders them, and delegates see the new order."""

import pytest
from playwright.sync_api import expect

from roundtables.models import Status
from tests.factories import make_issue, make_roundtable, make_session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"  # what tests.factories.make_user gives every account


@pytest.fixture
def session(db):
    session = make_session(roundtable=make_roundtable(number=1), number=1, title="Engaging diasporas")
    make_issue(session=session, text="First issue", position=1)
    make_issue(session=session, text="Second issue", position=2)
    return session


def _log_in(page, user, next_path):
    page.goto(f"/admin/login/?next={next_path}")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def _collect_problems(page):
    """Failed requests and script errors; the browser's own request for a favicon.ico is not the page's."""
    problems = []

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            problems.append(f"{response.status} {response.url}")

    def on_console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            problems.append(message.text)

    page.on("response", on_response)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def test_organiser_edits_and_reorders_issues_and_the_public_page_follows(page, live_server, organiser, session):
    problems = _collect_problems(page)
    _log_in(page, organiser, f"/admin/programme_sessions/session/{session.pk}/change/")
    expect(page.locator("h1")).to_have_text("Change session")

    page.locator('textarea[name="issues-0-text_en"]').fill("First issue, edited")
    page.locator('textarea[name="issues-0-points"]').fill("Point A\nPoint B")
    first_row = page.locator("tr.form-row", has=page.locator('textarea[name="issues-0-text_en"]'))
    first_row.get_by_role("button", name="Move down").click()

    rows = page.locator("#issues-group tbody tr.form-row:not(.empty-form)")
    expect(rows.nth(0).locator("textarea[name$='-text_en']")).to_have_value("Second issue")
    expect(rows.nth(1).locator("textarea[name$='-text_en']")).to_have_value("First issue, edited")
    expect(page.locator('input[name="issues-0-position"]')).to_have_value("2")
    expect(page.locator('input[name="issues-1-position"]')).to_have_value("1")
    page.locator('input[name="_save"]').click()

    expect(page.locator(".messagelist .success")).to_contain_text("was changed successfully")
    page.goto(session.get_absolute_url())
    issues = page.locator("ol.issues > li")
    expect(issues.locator("> .issue-text")).to_have_text(["Second issue", "First issue, edited"])
    expect(issues.nth(1).locator("ul.points > li")).to_have_text(["Point A", "Point B"])
    assert problems == []


def test_organiser_moves_a_session_up_from_the_list(page, live_server, organiser, session):
    later = make_session(roundtable=session.roundtable, number=2, title="Reintegration", status=Status.PUBLISHED)
    problems = _collect_problems(page)
    _log_in(page, organiser, f"/admin/programme_sessions/session/?roundtable__id__exact={session.roundtable_id}")

    page.get_by_role("button", name="Move session 1.2 up").click()

    expect(page.locator(".messagelist .success")).to_have_text(
        "Session “Reintegration” is now 1.1, and “Engaging diasporas” is 1.2."
    )
    expect(page.locator("#result_list tbody tr th a")).to_have_text(["1.1", "1.2"])
    expect(page.locator("#result_list tbody tr td.field-title a")).to_have_text(["Reintegration", "Engaging diasporas"])
    later.refresh_from_db()
    assert later.number == 1
    assert problems == []


def test_the_committee_pages_load_without_errors_under_the_content_security_policy(
    page, live_server, organiser, session
):
    problems = _collect_problems(page)
    forum = session.roundtable.forum
    issue = session.issues.get(text="First issue")
    make_issue(parent=issue, text="A sub-point")
    _log_in(page, organiser, "/admin/")

    page.get_by_role("link", name="Dashboard: what is still missing in each forum's programme").click()
    expect(page.locator("h1")).to_have_text("Committee dashboard: what is still missing")
    for path in [
        f"/admin/roundtables/roundtable/{session.roundtable_id}/change/",
        f"/admin/roundtables/forum/{forum.pk}/duplicate/",
        f"/admin/programme_sessions/session/{session.pk}/history/",
        f"/admin/programme_sessions/issue/{issue.pk}/change/",
    ]:
        page.goto(path)
        expect(page.locator("#content h1")).to_be_visible()

    expect(page.locator("#content h1")).to_have_text("Change issue")
    expect(page.locator(".reorder-buttons").first).to_be_visible()
    assert problems == []
