import pytest

from tests.factories import make_roundtable, make_session, make_theme


@pytest.fixture
def programme(db):
    """A published forum with one roundtable, one session and a theme, as contributions target them."""
    roundtable = make_roundtable(title="Engaging diasporas", slug="engaging-diasporas")
    session = make_session(roundtable=roundtable, title="Diaspora investment", slug="diaspora-investment")
    theme = make_theme(name="Diaspora", slug="diaspora")
    return {"forum": roundtable.forum, "roundtable": roundtable, "session": session, "theme": theme}


@pytest.fixture
def form_data(programme):
    """A complete, valid submission of the public form, to a session, with one good practice."""
    return {
        "target": f"session:{programme['session'].pk}",
        "language": "en",
        "organisation_name": "Migrant Voices",
        "organisation_kind": "diaspora",
        "country": "Greece",
        "contact_name": "Ana Pérez",
        "contact_email": "ana@example.org",
        "title": "Savings groups of the diaspora",
        "summary": "We run savings groups with migrants.\n\nThey invest at home.",
        "recommendations": "Recognise savings groups in law.",
        "themes": [str(programme["theme"].pk)],
        "website": "",
        "practices-TOTAL_FORMS": "2",
        "practices-INITIAL_FORMS": "0",
        "practices-MIN_NUM_FORMS": "1",
        "practices-MAX_NUM_FORMS": "10",
        "practices-0-country": "Albania",
        "practices-0-actors": "Migrant associations and a local bank",
        "practices-0-description": "Monthly savings meetings in Athens.",
        "practices-0-lesson": "Trust grows with regular meetings.",
        "practices-1-country": "",
        "practices-1-actors": "",
        "practices-1-description": "",
        "practices-1-lesson": "",
    }


@pytest.fixture
def reviewer_client(client, db):
    """A member of the organising committee, with the permissions on contributions migrate grants."""
    from contributions.services import contribution_reviewers_ensure
    from tests.factories import make_user

    user = make_user(username="reviewer", is_staff=True)
    user.groups.add(contribution_reviewers_ensure())
    client.force_login(user)
    client.user = user
    return client
