import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import translation

from sessions.listings import sessions_for_cards
from tests.factories import forum_time, make_participation, make_person, make_room, make_session, make_user


def _render(session, user=None, **options):
    request = RequestFactory().get("/en/forums/x/programme/?day=1")
    arguments = " ".join(f"{key}={value}" for key, value in options.items())
    template = Template("{% load session_cards %}{% session_card session " + arguments + " %}")
    (card,) = [s for s in sessions_for_cards(roundtable=session.roundtable, user=user) if s.pk == session.pk]
    return template.render(Context({"session": card, "request": request}))


@pytest.mark.django_db
def test_session_card_shows_code_title_time_room_and_people_in_order():
    session = make_session(number=2, title="Engaging diasporas", slug="diasporas")
    forum = session.roundtable.forum
    session.starts_at, session.ends_at = forum_time(forum, 0, 14), forum_time(forum, 0, 15, 30)
    session.room = make_room(forum=forum, name="Room A")
    session.save()
    make_participation(session=session, person=make_person(name="Ana"), role="chair", position=1)
    make_participation(session=session, person=make_person(name="Bo"), role="rapporteur", position=2)

    with translation.override("en"):
        html = _render(session, level=4)

    url = session.get_absolute_url()
    assert html.startswith(
        f'<article class="session-card" id="session-{session.pk}"><h4 class="session-card-title">'
        f'<a href="{url}"><span class="code">1.2</span> Engaging diasporas</a></h4>'
        f'<p class="meta"><span>Roundtable 1</span> · <span class="card-when">'
        f'<time datetime="2009-11-02T14:00:00+02:00">Mon 2 Nov, 14:00</time>–'
        f'<time datetime="2009-11-02T15:30:00+02:00">15:30</time></span>'
        f" · <span>Room A</span></p>"
        f'<p class="people"><span>Ana <small>(Chair)</small></span>, <span>Bo <small>(Rapporteur)</small></span></p>'
    )
    assert f'name="next" value="/en/forums/x/programme/?day=1#star-{session.pk}"' in html


@pytest.mark.django_db
def test_session_card_escapes_everything_from_the_database():
    session = make_session(title='<script>alert("t")</script>', status="draft")
    make_participation(session=session, person=make_person(name='Eve "<b>"'))

    with translation.override("en"):
        html = _render(session, user=make_user(is_staff=True), show_forum=True)

    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;t&quot;)&lt;/script&gt;" in html
    assert "Eve &quot;&lt;b&gt;&quot;" in html
    assert '<span class="badge">Draft</span>' in html


@pytest.mark.django_db
def test_session_card_labels_follow_the_language():
    session = make_session()
    make_participation(session=session, role="chair")

    with translation.override("fr"):
        html = _render(session)

    assert "Table ronde 1" in html
    assert "Roundtable" not in html
