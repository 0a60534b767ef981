"""The admin refuses a too long or too deeply nested text with a message, and keeps everything typed."""

import re

import pytest
from django.urls import reverse

from contributions.models import Contribution
from roundtables.models import Forum, Roundtable
from sessions.models import Person, Session
from tests.admin_forms import admin_change_data, english
from tests.contributions.factories import make_contribution
from tests.factories import make_issue, make_person, make_session

LONG_TITLE = "Migration and development " * 192 + "ends here"  # 5,001 characters
DEEP_BACKGROUND = ">" * 3000 + " Quoted\n\n" + "- " * 200 + "listed"
NESTING_MESSAGE = "This text nests block quotes, lists or emphasis 11 levels deep; at most 10 are allowed."


def _url(model, page, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}", args=args)


def _session_data(client, session, **overrides):
    """The session's change form as the admin renders it (every field, ``kind`` and the inlines included),
    with ``overrides`` typed in."""
    return admin_change_data(client, session, **overrides)


def test_a_too_long_session_title_is_refused_with_a_message_and_kept_whole(organiser_client):
    session = make_session(title="Old title", background="Old background.")
    data = _session_data(organiser_client, session, title=LONG_TITLE, background="A newly typed background.")

    response = organiser_client.post(_url(Session, "change", session.pk), data)

    form = response.context["adminform"].form
    assert response.status_code == 200
    assert form.errors == {english("title"): ["Ensure this value has at most 300 characters (it has 5001)."]}
    assert (form[english("title")].value(), form[english("background")].value()) == (
        LONG_TITLE,
        "A newly typed background.",
    )
    assert f'value="{LONG_TITLE}"' in response.content.decode()
    session.refresh_from_db()
    assert (session.title, session.background) == ("Old title", "Old background.")


def test_admin_text_inputs_carry_no_maxlength_that_would_cut_a_pasted_text(organiser_client):
    """Except slugs: the admin's script cuts a slug it fills in from a title at the input's maxlength."""
    session = make_session()
    make_issue(session=session)
    pages = [
        _url(Session, "change", session.pk),
        _url(Roundtable, "change", session.roundtable_id),  # its sessions inline
        _url(Forum, "change", session.roundtable.forum_id),  # its roundtables, rooms and documents inlines
        _url(Person, "add"),
        _url(Contribution, "change", make_contribution().pk),
    ]

    cut_inputs = {
        url: [
            tag
            for tag in re.findall(r"<(?:input|textarea)[^>]*>", organiser_client.get(url).content.decode())
            if "maxlength" in tag and not re.search(r'name="[^"]*slug"', tag)
        ]
        for url in pages
    }

    assert cut_inputs == {url: [] for url in pages}


@pytest.mark.parametrize(
    ("background", "message"),
    [
        ("> " * 11 + "eleven quotes", NESTING_MESSAGE),
        (
            DEEP_BACKGROUND,
            "This text nests block quotes, lists or emphasis more than 40 levels deep; at most 10 are allowed.",
        ),
    ],
    ids=["eleven levels", "attack"],
)
def test_a_too_deeply_nested_session_background_is_refused_and_what_was_typed_kept(
    organiser_client, background, message
):
    session = make_session(title="Old title", background="Old background.")
    data = _session_data(organiser_client, session, title="A newly typed title", background=background)

    response = organiser_client.post(_url(Session, "change", session.pk), data)

    form = response.context["adminform"].form
    assert response.status_code == 200
    assert form.errors == {english("background"): [message]}
    assert (form[english("title")].value(), form[english("background")].value()) == ("A newly typed title", background)
    session.refresh_from_db()
    assert (session.title, session.background) == ("Old title", "Old background.")


def test_a_deep_issue_and_a_too_long_sub_point_are_refused_in_the_session_form(organiser_client):
    session = make_session()
    data = _session_data(
        organiser_client,
        session,
        title="A newly typed title",
        **{
            "issues-TOTAL_FORMS": "1",
            "issues-0-kind": "main_issue",
            "issues-0-text": "- " * 5000 + "x",
            "issues-0-position": "1",
            "issues-0-points": "A fine sub-point.\n" + "p" * 3001 + "\n" + "> " * 11 + "deep",
        },
    )

    response = organiser_client.post(_url(Session, "change", session.pk), data)

    issue_form = response.context["inline_admin_formsets"][0].formset.forms[0]
    assert response.status_code == 200
    assert issue_form.errors == {
        english("text"): [
            "Ensure this value has at most 3000 characters (it has 10001).",
            "This text nests block quotes, lists or emphasis more than 20 levels deep; at most 10 are allowed.",
        ],
        "points": [
            "Sub-point 2: Ensure this value has at most 3000 characters (it has 3001).",
            f"Sub-point 3: {NESTING_MESSAGE}",
        ],
    }
    assert issue_form["points"].value() == data["issues-0-points"]
    assert response.context["adminform"].form[english("title")].value() == "A newly typed title"
    assert session.issues.count() == 0


def test_a_too_deeply_nested_biography_is_refused_in_french(organiser_client):
    person = make_person(name="Ana Núñez")
    data = admin_change_data(organiser_client, person, biography="> " * 11 + "x")

    response = organiser_client.post(_url(Person, "change", person.pk), data, headers={"accept-language": "fr"})

    assert response.status_code == 200
    assert (
        '<ul class="errorlist" id="id_biography_en_error"><li>Ce texte imbrique citations, listes ou mises en valeur '
        "sur 11\u00a0niveaux\u00a0; 10\u00a0au plus sont permis.</li></ul>"
    ) in response.content.decode()
