import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contributions.models import Contribution, GoodPractice
from contributions.services import contribution_approve, contribution_reject
from tests.contributions.factories import make_contribution, make_practice, pdf_bytes
from tests.factories import make_forum, make_roundtable, make_session, make_theme

SUBMIT_URL = "/en/contribute/"
THANKS_URL = "/en/contribute/thanks/"
LIBRARY_URL = "/en/good-practices/"
PAYLOAD = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def _post(client, data, **extra):
    return client.post(SUBMIT_URL, data, **extra)


def test_urls_are_the_documented_ones():
    assert [reverse("contributions:submit"), reverse("contributions:library")] == [SUBMIT_URL, LIBRARY_URL]
    assert reverse("contributions:detail", kwargs={"slug": "x"}) == "/en/good-practices/x/"


def test_form_lists_published_forums_roundtables_and_sessions(client, programme):
    draft = make_forum(name="Draft forum", status="draft")

    response = client.get(SUBMIT_URL)

    choices = response.context["form"].fields["target"].choices
    forum, roundtable, session = programme["forum"], programme["roundtable"], programme["session"]
    assert choices == [
        ("", "Choose…"),
        (
            forum.name,
            [
                (f"forum:{forum.pk}", "The forum as a whole"),
                (f"roundtable:{roundtable.pk}", "Roundtable 1: Engaging diasporas"),
                (f"session:{session.pk}", "— Session 1.1: Diaspora investment"),
            ],
        ),
    ]
    assert draft.name not in response.content.decode()


def test_form_preselects_the_session_a_link_names(client, programme):
    forum, roundtable, session = programme["forum"], programme["roundtable"], programme["session"]

    response = client.get(SUBMIT_URL, {"forum": forum.slug, "roundtable": roundtable.slug, "session": session.slug})

    assert response.context["form"].initial["target"] == f"session:{session.pk}"


def test_form_errors_rerender_everything_typed_but_the_file(client, form_data):
    form_data.update(title="", contact_email="not-an-address")
    form_data["document"] = SimpleUploadedFile("paper.pdf", pdf_bytes(), content_type="application/pdf")

    response = _post(client, form_data)

    page = response.content.decode()
    form = response.context["form"]
    assert response.status_code == 200
    assert sorted(form.errors) == ["contact_email", "document", "title"]
    assert form.errors["document"] == [
        "Your PDF was not kept because the form needs corrections: please attach it again."
    ]
    for typed in [
        'value="Migrant Voices"',
        'value="not-an-address"',
        'value="Albania"',
        ">\nWe run savings groups with migrants.\n\nThey invest at home.</textarea>",
        ">\nMonthly savings meetings in Athens.</textarea>",
        ">\nRecognise savings groups in law.</textarea>",
        f'<option value="{form_data["target"]}" selected>',
        '<option value="diaspora" selected>',
        f'value="{form_data["themes"][0]}"  id="id_themes_0" checked>',
    ]:
        assert typed in page
    assert Contribution.objects.count() == 0
    assert mail.outbox == []


def test_valid_submission_is_pending_invisible_and_acknowledged(
    client, form_data, programme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, form_data)

    contribution = Contribution.objects.get()
    assert response.status_code == 302
    assert response["Location"] == THANKS_URL
    assert (contribution.status, contribution.forum, contribution.roundtable, contribution.session) == (
        "pending",
        programme["forum"],
        programme["roundtable"],
        programme["session"],
    )
    assert list(contribution.practices.values_list("country", "actors", "description", "lesson", "position")) == [
        (
            "Albania",
            "Migrant associations and a local bank",
            "Monthly savings meetings in Athens.",
            "Trust grows with regular meetings.",
            1,
        )
    ]
    assert list(contribution.themes.all()) == [programme["theme"]]
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ana@example.org"], "We have received your contribution “Savings groups of the diaspora”")
    ]
    assert client.get(contribution.get_absolute_url()).status_code == 404
    for url in [programme["session"].get_absolute_url(), programme["theme"].get_absolute_url(), LIBRARY_URL]:
        assert "Savings groups of the diaspora" not in client.get(url).content.decode()


def test_approval_publishes_on_session_roundtable_theme_and_library_pages(client, form_data, programme):
    _post(client, form_data)
    contribution = Contribution.objects.get()

    contribution_approve(contribution=contribution)

    for url in [
        programme["session"].get_absolute_url(),
        programme["roundtable"].get_absolute_url(),
        programme["theme"].get_absolute_url(),
        programme["forum"].get_absolute_url(),
        LIBRARY_URL,
        contribution.get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Savings groups of the diaspora" in response.content.decode(), url
    detail = client.get(contribution.get_absolute_url()).content.decode()
    assert "<p>We run savings groups with migrants.</p>\n\n<p>They invest at home.</p>" in detail
    assert "ana@example.org" not in detail
    assert "Ana Pérez" not in detail


def test_rejection_tells_the_submitter_the_reason(client, form_data, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, form_data)
    contribution = Contribution.objects.get()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        contribution_reject(contribution=contribution, reason="It describes no practice of your own.")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert (message.to, message.subject) == (
        ["ana@example.org"],
        "Your contribution “Savings groups of the diaspora” was not published",
    )
    assert "\n\nIt describes no practice of your own.\n\n" in message.body
    assert client.get(contribution.get_absolute_url()).status_code == 404


def test_add_another_practice_keeps_what_was_typed_and_shows_no_errors(client, form_data):
    form_data.update(title="", add_practice="1")

    response = _post(client, form_data)

    formset = response.context["formset"]
    page = response.content.decode()
    assert response.status_code == 200
    assert formset.total_form_count() == 3
    assert "Good practice 3" in page
    assert 'value="Albania"' in page
    assert "invalid-feedback" not in page
    assert "Please correct" not in page
    assert Contribution.objects.count() == 0


def test_add_another_practice_stops_at_ten(client, form_data):
    form_data.update({"practices-TOTAL_FORMS": "10", "add_practice": "1"})

    response = _post(client, form_data)

    assert response.context["formset"].total_form_count() == 10
    assert 'name="add_practice"' not in response.content.decode()


def test_second_practice_is_saved_when_filled_and_blank_ones_are_skipped(client, form_data):
    form_data.update(
        {
            "practices-TOTAL_FORMS": "3",
            "practices-2-country": "Italy",
            "practices-2-actors": "A trade union",
            "practices-2-description": "Language classes.",
            "practices-2-lesson": "Start small.",
        }
    )

    _post(client, form_data)

    practices = GoodPractice.objects.order_by("position")
    assert [(p.country, p.position) for p in practices] == [("Albania", 1), ("Italy", 2)]


def test_a_submission_needs_a_good_practice(client, form_data):
    for field in ["country", "actors", "description", "lesson"]:
        form_data[f"practices-0-{field}"] = ""

    response = _post(client, form_data)

    assert response.context["formset"].non_form_errors() == ["Share at least one good practice."]
    assert Contribution.objects.count() == 0


def test_a_half_filled_practice_shows_what_is_missing(client, form_data):
    form_data["practices-0-lesson"] = ""

    response = _post(client, form_data)

    assert response.context["formset"].errors == [{"lesson": ["This field is required."]}, {}]


def test_filled_honeypot_is_dropped_but_looks_accepted(client, form_data, django_capture_on_commit_callbacks):
    form_data["website"] = "http://spam.example"

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, form_data)

    assert (response.status_code, response["Location"]) == (302, THANKS_URL)
    assert Contribution.objects.count() == 0
    assert mail.outbox == []


def test_honeypot_is_hidden_by_a_class_and_labelled_leave_empty(client, programme):
    page = client.get(SUBMIT_URL).content.decode()

    assert '<div id="div_id_website" class="mb-3 hp-field">' in page
    assert "Leave this field empty" in page
    assert 'name="website" autocomplete="off" tabindex="-1"' in page


def test_sixth_submission_in_an_hour_from_one_address_is_refused(client, form_data, settings):
    settings.CONTRIBUTION_RATE_LIMIT = 5
    statuses = []
    for n in range(6):
        form_data["title"] = f"Contribution {n}"
        statuses.append(_post(client, form_data).status_code)

    other = _post(client, form_data, REMOTE_ADDR="192.0.2.7")

    assert statuses == [302, 302, 302, 302, 302, 429]
    assert Contribution.objects.count() == 6
    assert other.status_code == 302


def test_honeypot_submissions_count_towards_the_limit(client, form_data, settings):
    settings.CONTRIBUTION_RATE_LIMIT = 2
    form_data["website"] = "spam"

    statuses = [_post(client, form_data).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert "Too many contributions" in _post(client, form_data).content.decode()


def test_invalid_submissions_do_not_count_towards_the_limit(client, form_data, settings):
    settings.CONTRIBUTION_RATE_LIMIT = 1
    invalid = {**form_data, "title": ""}

    statuses = [_post(client, invalid).status_code for _ in range(3)] + [_post(client, form_data).status_code]

    assert statuses == [200, 200, 200, 302]


def test_forwarded_address_is_ignored_unless_proxies_are_trusted(client, form_data, settings):
    settings.CONTRIBUTION_RATE_LIMIT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")  # trusting the scheme is not enough
    settings.TRUSTED_PROXY_COUNT = 0
    _post(client, form_data, HTTP_X_FORWARDED_FOR="198.51.100.1")

    spoofed = _post(client, form_data, HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert spoofed.status_code == 429


def test_behind_a_trusted_proxy_the_hop_it_appended_is_counted(client, form_data, settings):
    settings.CONTRIBUTION_RATE_LIMIT = 1
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "127.0.0.1"}
    first = _post(client, form_data, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.5", **proxy)

    same = _post(client, form_data, HTTP_X_FORWARDED_FOR="198.51.100.2, 203.0.113.5", **proxy)
    other = _post(client, form_data, HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.6", **proxy)

    assert [first.status_code, same.status_code, other.status_code] == [302, 429, 302]


def test_spoofed_first_forwarded_hops_do_not_escape_the_limit(client, form_data, settings):
    settings.CONTRIBUTION_RATE_LIMIT = 5
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = []
    for n in range(8):
        form_data["title"] = f"Contribution {n}"
        forwarded = f"198.51.100.{n}, 127.0.0.1"
        statuses.append(_post(client, form_data, HTTP_X_FORWARDED_FOR=forwarded, REMOTE_ADDR="127.0.0.1").status_code)

    assert statuses == [302] * 5 + [429] * 3
    assert Contribution.objects.count() == 5


def test_post_without_csrf_token_is_refused(form_data):
    client = Client(enforce_csrf_checks=True)

    response = client.post(SUBMIT_URL, form_data)

    assert response.status_code == 403
    assert Contribution.objects.count() == 0


def test_html_renamed_pdf_is_refused_with_a_reason(client, form_data):
    form_data["document"] = SimpleUploadedFile(
        "paper.pdf", b"<!DOCTYPE html><html><script>alert(1)</script></html>", content_type="application/pdf"
    )

    response = _post(client, form_data)

    assert response.context["form"].errors == {
        "document": ["“paper.pdf” is not a PDF document: its content does not start like one."]
    }
    assert Contribution.objects.count() == 0


def test_a_pdf_is_stored_and_served_once_approved(client, form_data):
    pdf = pdf_bytes()
    form_data["document"] = SimpleUploadedFile("Our Paper (final).pdf", pdf, content_type="application/pdf")
    _post(client, form_data)
    contribution = Contribution.objects.get()
    url = reverse("contributions:document", kwargs={"slug": contribution.slug})

    pending = client.get(url)
    contribution_approve(contribution=contribution)
    approved = client.get(url)

    assert contribution.document.name.startswith("contributions/")
    assert contribution.document.name.endswith(".pdf")
    assert pending.status_code == 404
    assert (approved.status_code, approved["Content-Type"], approved["X-Content-Type-Options"]) == (
        200,
        "application/pdf",
        "nosniff",
    )
    assert b"".join(approved.streaming_content) == pdf


def test_too_large_pdf_is_refused(client, form_data, settings):
    settings.CONTRIBUTION_MAX_UPLOAD_BYTES = 100
    form_data["document"] = SimpleUploadedFile("paper.pdf", pdf_bytes(), content_type="application/pdf")

    response = _post(client, form_data)

    assert response.context["form"].errors["document"][0].startswith("The file is ")
    assert Contribution.objects.count() == 0


def test_too_long_texts_are_refused(client, form_data):
    form_data["summary"] = "x" * 5001
    form_data["practices-0-lesson"] = "x" * 2001

    response = _post(client, form_data)

    assert response.context["form"].errors == {
        "summary": ["Ensure this value has at most 5000 characters (it has 5001)."]
    }
    assert response.context["formset"].errors[0] == {
        "lesson": ["Ensure this value has at most 2000 characters (it has 2001)."]
    }


def test_nothing_typed_is_rendered_unescaped(client, form_data, programme):
    for name in ["organisation_name", "country", "contact_name", "title", "summary", "recommendations"]:
        form_data[name] = PAYLOAD
    for name in ["country", "actors", "description", "lesson"]:
        form_data[f"practices-0-{name}"] = PAYLOAD
    form_data["contact_email"] = "ana@example.org"

    invalid = _post(client, {**form_data, "contact_email": PAYLOAD})
    _post(client, form_data)
    contribution_approve(contribution=Contribution.objects.get())
    pages = [invalid] + [
        client.get(url)
        for url in [
            Contribution.objects.get().get_absolute_url(),
            LIBRARY_URL,
            f"{LIBRARY_URL}?q=script",
            programme["session"].get_absolute_url(),
            programme["theme"].get_absolute_url(),
        ]
    ]

    for response in pages:
        page = response.content.decode()
        assert PAYLOAD not in page
        assert ESCAPED in page
    assert Contribution.objects.get().title == PAYLOAD


def test_library_lists_only_published_contributions(client, db):
    published = make_contribution(title="Published")
    make_contribution(title="Waiting", status="pending")
    make_contribution(title="Refused", status="rejected")
    make_contribution(title="Draft forum", forum=make_forum(status="draft"))

    response = client.get(LIBRARY_URL)

    assert list(response.context["contributions"]) == [published]


def test_library_filters_by_country_theme_and_kind(client, db):
    diaspora = make_theme(name="Diaspora", slug="diaspora")
    georgia = make_contribution(title="Georgia", country="Belgium", organisation_kind="international", practices=0)
    make_practice(contribution=georgia, country="Georgia")
    based_in_georgia = make_contribution(title="Based in Georgia", country="Georgia", themes=[diaspora])
    union = make_contribution(title="Union", organisation_kind="trade_union", themes=[diaspora])

    def titles(**params):
        return [c.title for c in client.get(LIBRARY_URL, params).context["contributions"]]

    assert titles(country="Georgia") == [based_in_georgia.title, georgia.title]
    assert titles(theme="diaspora") == [union.title, based_in_georgia.title]
    assert titles(kind="trade_union") == [union.title]
    assert titles(country="Georgia", theme="diaspora") == [based_in_georgia.title]
    assert titles(kind="international", theme="diaspora") == []


def test_library_search_matches_every_word_in_any_text(client, db):
    remittances = make_contribution(title="Remittance cards", summary="Rechargeable cards for families.")
    practice_only = make_contribution(title="Advisory groups", practices=0)
    make_practice(contribution=practice_only, description="Steering committees with local authorities.")
    make_contribution(title="Unrelated")

    def titles(q):
        return [c.title for c in client.get(LIBRARY_URL, {"q": q}).context["contributions"]]

    assert titles("cards") == [remittances.title]
    assert titles("STEERING authorities") == [practice_only.title]
    assert titles("cards steering") == []


def test_library_offers_the_countries_and_themes_of_published_contributions(client, db):
    theme = make_theme(name="Remittances", slug="remittances")
    make_theme(name="Unused", slug="unused")
    contribution = make_contribution(country="Belgium", themes=[theme], practices=0)
    make_practice(contribution=contribution, country="Sri Lanka")
    make_contribution(country="Hidden", status="pending")

    form = client.get(LIBRARY_URL).context["filter_form"]

    assert form.fields["country"].choices == [("", "All countries"), ("Belgium", "Belgium"), ("Sri Lanka", "Sri Lanka")]
    assert form.fields["theme"].choices == [("", "All themes"), ("remittances", "Remittances")]


def test_library_ignores_an_unknown_filter_value(client, db):
    make_contribution(title="Shown")

    response = client.get(LIBRARY_URL, {"country": "Atlantis"})

    assert [c.title for c in response.context["contributions"]] == ["Shown"]


def test_library_paginates_by_ten_and_keeps_the_filters(client, db):
    for n in range(12):
        make_contribution(title=f"Item {n:02d}", organisation_kind="academia")

    first = client.get(LIBRARY_URL, {"kind": "academia"})
    second = client.get(LIBRARY_URL, {"kind": "academia", "page": 2})

    assert len(first.context["contributions"]) == 10
    assert [c.title for c in second.context["contributions"]] == ["Item 01", "Item 00"]
    assert '<a rel="next" href="?kind=academia&amp;page=2">' in first.content.decode()


@pytest.mark.parametrize("count", [1, 10])
def test_library_queries_stay_flat(client, db, django_assert_num_queries, count):
    theme = make_theme()
    forum = make_forum()
    for _ in range(count):
        make_contribution(forum=forum, practices=2, themes=[theme])

    with django_assert_num_queries(8):  # with the menu's forum (then cached until the programme changes)
        response = client.get(LIBRARY_URL, {"theme": theme.slug})

    assert len(response.context["contributions"]) == count


@pytest.mark.parametrize("count", [1, 10])
def test_detail_page_queries_stay_flat(client, db, django_assert_num_queries, count):
    contribution = make_contribution(practices=count, themes=[make_theme(), make_theme()])

    # With the menu's forum (then cached until the programme changes) and the organisation it names.
    with django_assert_num_queries(5):
        response = client.get(contribution.get_absolute_url())

    assert len(response.context["practices"]) == count


def _query_count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_programme_pages_keep_their_query_count_whatever_the_contributions(
    client, programme, django_capture_on_commit_callbacks
):
    session, roundtable, theme, forum = (programme[k] for k in ["session", "roundtable", "theme", "forum"])
    urls = [
        session.get_absolute_url(),
        roundtable.get_absolute_url(),
        theme.get_absolute_url(),
        forum.get_absolute_url(),
    ]
    make_contribution(forum=forum, roundtable=roundtable, session=session, themes=[theme])
    with_one = [_query_count(client, url) for url in urls]

    with django_capture_on_commit_callbacks(execute=True):  # committed: the cached pages are made again
        for _ in range(4):
            make_contribution(forum=forum, roundtable=roundtable, session=session, themes=[theme], practices=2)
    with_five = [_query_count(client, url) for url in urls]

    assert with_one == with_five
    assert [client.get(url).content.decode().count('class="card contribution-card"') for url in urls] == [5, 5, 5, 5]


def test_roundtable_page_shows_contributions_to_its_sessions_too(client, programme):
    other = make_session(roundtable=make_roundtable(forum=programme["forum"]))
    to_session = make_contribution(forum=programme["forum"], session=programme["session"], title="To the session")
    make_contribution(forum=programme["forum"], session=other, title="To another roundtable")

    response = client.get(programme["roundtable"].get_absolute_url())

    assert response.context["contributions"] == [to_session]


def test_staff_preview_a_pending_contribution(reviewer_client, db):
    contribution = make_contribution(status="pending")

    response = reviewer_client.get(contribution.get_absolute_url())

    assert response.status_code == 200
    assert "Preview for the organising committee: this contribution is not public (Pending review)." in (
        response.content.decode()
    )


def test_navigation_links_to_the_library_and_the_form(client, db):
    page = client.get("/en/forums/").content.decode()

    assert f'<a href="{LIBRARY_URL}">Good practices</a>' in page
    assert f'<a href="{SUBMIT_URL}">Contribute</a>' in page


def test_form_says_so_when_no_forum_is_open(client, db):
    response = client.get(SUBMIT_URL)

    assert "No forum accepts contributions at the moment." in response.content.decode()
    assert '<form class="contribution-form"' not in response.content.decode()


@pytest.fixture
def slug_race(monkeypatch):
    """Let another submission with the same title take the slug ours computed, just before ours inserts
    it, as a parallel request does, for the next ``times`` computations."""
    from contributions import services

    def start(*, forum, times):
        compute = services._unique_slug
        taken = []

        def computed_then_taken(title):
            slug = compute(title)
            if len(taken) < times:
                taken.append(make_contribution(forum=forum, title=title, slug=slug, status="pending").slug)
            return slug

        monkeypatch.setattr(services, "_unique_slug", computed_then_taken)
        return taken

    return start


def test_a_parallel_submission_with_the_same_title_is_stored_under_the_next_slug(
    client, form_data, programme, slug_race, settings
):
    settings.CONTRIBUTION_RATE_LIMIT = 2
    taken = slug_race(forum=programme["forum"], times=1)

    response = _post(client, form_data)
    next_one = _post(client, form_data)

    assert [(response.status_code, response["Location"]), (next_one.status_code, next_one["Location"])] == [
        (302, THANKS_URL),
        (302, THANKS_URL),
    ]
    assert taken == ["savings-groups-of-the-diaspora"]
    assert list(Contribution.objects.filter(organisation_name="Migrant Voices").order_by("pk").values_list("slug")) == [
        ("savings-groups-of-the-diaspora-2",),
        ("savings-groups-of-the-diaspora-3",),
    ]


def test_a_submission_that_could_not_be_stored_does_not_count_towards_the_limit(
    client, form_data, programme, slug_race, settings
):
    from contributions.services import SLUG_ATTEMPTS

    settings.CONTRIBUTION_RATE_LIMIT = 1
    slug_race(forum=programme["forum"], times=SLUG_ATTEMPTS)

    failed = _post(client, form_data)
    again = _post(client, form_data)

    assert failed.status_code == 200
    assert failed.context["form"].non_field_errors() == [
        "Many contributions with this title are being sent at this moment: please send yours again."
    ]
    assert again.status_code == 302
    assert Contribution.objects.filter(organisation_name="Migrant Voices").count() == 1


PHISHING = "Your account is locked. Log in at http://gfmd-login.example/verify to keep it."


def test_receipt_mail_carries_only_the_title_the_forum_and_a_link(
    client, form_data, programme, mailoutbox, django_capture_on_commit_callbacks
):
    form_data.update(
        contact_email="victim@example.org",
        contact_name=f"Dear customer. {PHISHING}",
        organisation_name=f"Bank security team {PHISHING}",
        country=PHISHING[:100],
        summary=PHISHING,
        recommendations=PHISHING,
    )
    for name in ["country", "actors", "description", "lesson"]:
        form_data[f"practices-0-{name}"] = PHISHING[:100]

    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, form_data)

    assert response.status_code == 302
    assert [(m.to, m.subject, m.alternatives) for m in mailoutbox] == [
        (["victim@example.org"], "We have received your contribution “Savings groups of the diaspora”", [])
    ]
    assert mailoutbox[0].body == (
        "Hello,\n\n"
        f"Thank you for your contribution “Savings groups of the diaspora” to {programme['forum'].name}.\n\n"
        "The organising committee will review it before it is published on the portal. "
        "We will write to you again once it has been reviewed.\n\n"
        "The forum on the portal:\n"
        f"http://testserver/en/forums/{programme['forum'].slug}/\n\n"
        "If you did not send this contribution, you can ignore this message: "
        "nothing is published without the committee's review.\n\n"
        "The organising committee of the GFMD Civil Society Days\n\n"
    )
    assert "gfmd-login" not in mailoutbox[0].message().as_string()


def test_receipt_mail_quotes_the_title_on_one_line_shortened_and_without_links(
    client, form_data, mailoutbox, django_capture_on_commit_callbacks
):
    form_data["title"] = (
        "Urgent\r\n\r\nYour account\u2028is locked:\u202e visit https://gfmd-login.example/x or www.gfmd-login.example,"
        " write to help@gfmd-login.example or gfmd-login.example/verify, then wait for the committee's answer"
    )

    with django_capture_on_commit_callbacks(execute=True):
        _post(client, form_data)

    quoted = "Urgent Your account is locked: visit [link removed] or [link removed] write to …"
    assert [m.subject for m in mailoutbox] == [f"We have received your contribution “{quoted}”"]
    assert f"Thank you for your contribution “{quoted}” to " in mailoutbox[0].body
    assert "gfmd-login" not in mailoutbox[0].message().as_string()
