"""Every public page and export costs as many queries for a forum of 8 sessions as for one of 24, or 300.

A published forum of 2 roundtables of 4 sessions is built, the queries of every address are counted, the
same forum is grown to 4 roundtables of 6 sessions and they are counted again: each address's test then
compares its two counts, and a failure lists the queries the larger forum runs more often (the one
repeated per row). Growing adds more of everything a page lists: sessions on both cross-cutting themes, in
both rooms and several time slots; people in every role (the same chair throughout, colleagues of one
organisation); issues with sub-points; papers of sessions and roundtables with files in several
languages; contributions; French and Spanish texts; revisions for the changelog.

Counted: every public address of the portal (``ADDRESSES``, with ``LEFT_OUT`` saying why a few are not),
some for a visitor whose agenda stars every session, the content of each kind of PDF (read, not rendered),
and the organising committee's dashboard, changelists and view of the public pages (``STAFF_PAGES``). The
page cache is off and the cache emptied before each count, so that each page is made anew; each address is
asked once before, so that what a process keeps for good (content types, compiled templates) is there at
both sizes.

Most of them are counted again between two synthetic forums of 8 and of 300 sessions (``AT_300``), written
in bulk by make_synthetic_forum's builder: 300 sessions take the admin's changelists past their first page.

Building the forums takes seconds, and there are some ninety addresses: everything is measured once, by
the first test that asks for ``measured``, and the tests compare the counts they are given.
"""

import collections
import datetime
import re
from dataclasses import dataclass, field

import pytest
import reversion
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import connection, reset_queries, transaction
from django.db.models import Count
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, resolve, reverse
from django.utils import translation

from core.versions import revision
from programme.management.commands.make_synthetic_forum import synthetic_forum_build
from roundtables.models import Forum, Roundtable, Theme
from roundtables.services import organiser_group_ensure
from sessions.agenda import AGENDA_COOKIE, agenda_cookie_value
from sessions.models import Document, Issue, Organisation, Participation, Person, Room, Session
from sessions.pdf.content import BOOKLET, ROUNDTABLE, SESSION, export_for, template_context
from tests.contributions.factories import make_contribution, pdf_bytes
from tests.factories import (
    forum_time,
    make_document,
    make_forum,
    make_issue,
    make_organisation,
    make_participation,
    make_person,
    make_room,
    make_roundtable,
    make_session,
    make_theme,
    make_user,
)

SMALL = {"roundtables": 2, "sessions_per_roundtable": 4}  # 8 sessions
LARGE = {"roundtables": 4, "sessions_per_roundtable": 6}  # 24 sessions
SLOTS = [(day, hour) for day in (0, 1) for hour in (9, 11, 14)]  # a session's time slot by its number
FIRST_PUBLISHED = datetime.datetime(2009, 10, 1, 8, 0, tzinfo=datetime.UTC)
Role = Participation.Role
WORD = "migrants"  # in the titles and issues of every session, roundtable and paper


@dataclass
class Programme:
    """The forum and the records its pages are asked about, the same at both sizes."""

    forum: Forum
    themes: list
    rooms: list
    chair: Person  # chairs every session
    organisation: Organisation  # the moderator and speaker of every session work there
    sessions: list = field(default_factory=list)

    @property
    def roundtable(self):
        return self.forum.roundtables.get(number=1)

    @property
    def session(self):
        return self.sessions[0]


def _translated(name, english):
    """``name`` in the three languages, as keyword arguments of a record with translated texts."""
    return {f"{name}": english, f"{name}_fr": f"{english} (fr)", f"{name}_es": f"{english} (es)"}


def _programme_start():
    """The forum, its rooms and themes, the chair, the organisation and a concept note: what does not grow."""
    forum = make_forum(
        slug="scaling-forum",
        **_translated("name", "Civil Society Days, Scaling"),
        **_translated("description", "The days on *migration*."),
    )
    rooms = [
        make_room(forum=forum, position=1, capacity=80, **_translated("name", "Room A")),
        make_room(forum=forum, position=2, capacity=40, **_translated("name", "Room B")),
    ]
    themes = [
        make_theme(slug="labour-mobility", **_translated("name", "Labour mobility")),
        make_theme(slug="gender", **_translated("name", "Gender"), **_translated("description", "Women who move.")),
    ]
    organisation = make_organisation(
        slug="migrant-voices", kind=Organisation.Kind.DIASPORA, **_translated("name", "Migrant Voices")
    )
    chair = make_person(
        name="Amina Okafor",
        slug="amina-okafor",
        organisation=organisation,
        **_translated("position", "Director"),
        **_translated("biography", "Works with *migrants*."),
    )
    make_document(
        forum=forum,
        kind=Document.Kind.CONCEPT_NOTE,
        files={"en": ("concept.pdf", b"%PDF-1.4\n"), "es": ("nota.txt", b"Nota conceptual.\n")},
        **_translated("title", "Concept note"),
    )
    return Programme(forum=forum, themes=themes, rooms=rooms, chair=chair, organisation=organisation)


def _session_add(programme, roundtable, number):
    forum = programme.forum
    day, hour = SLOTS[(number - 1) % len(SLOTS)]
    session = make_session(
        roundtable=roundtable,
        number=number,
        slug=f"session-{number}",
        **_translated("title", f"Rights of {WORD} {roundtable.number}.{number}"),
        **_translated("background", "Why it *matters*."),
        starts_at=forum_time(forum, day, hour),
        ends_at=forum_time(forum, day, hour + 1, 30),
        room=programme.rooms[(roundtable.number + number) % 2],
        themes=programme.themes,
    )
    people = [
        (programme.chair, Role.CHAIR),
        (make_person(organisation=programme.organisation), Role.MODERATOR),
        (make_person(organisation=make_organisation(**_translated("name", f"Network {session.pk}"))), Role.RAPPORTEUR),
        (make_person(organisation=programme.organisation, **_translated("position", "Researcher")), Role.SPEAKER),
        (make_person(), Role.RESOURCE_PERSON),
    ]
    for person, role in people:
        make_participation(session=session, person=person, role=role)
    issue = make_issue(session=session, **_translated("text", f"Fair recruitment of {WORD}"))
    make_issue(parent=issue, **_translated("text", "Zero recruitment fees"))
    make_issue(parent=issue, **_translated("text", "Written recruitment contracts"))
    question = make_issue(session=session, kind="question", **_translated("text", f"Who speaks for {WORD}?"))
    make_issue(parent=question, **_translated("text", "Trade unions"))
    make_document(
        session=session,
        files={"en": ("paper.pdf", b"%PDF-1.4\n"), "fr": ("papier.txt", b"Un papier.\n")},
        **_translated("title", f"Paper on {WORD}"),
    )
    make_contribution(
        forum=forum, session=session, organisation_name=programme.organisation.name, themes=programme.themes[:1]
    )
    programme.sessions.append(session)


def _programme_grow(programme, *, roundtables, sessions_per_roundtable):
    """Add roundtables and sessions until ``programme`` has ``roundtables`` of ``sessions_per_roundtable``."""
    forum = programme.forum
    for number in range(1, roundtables + 1):
        roundtable = forum.roundtables.filter(number=number).first()
        if roundtable is None:
            roundtable = make_roundtable(
                forum=forum,
                number=number,
                slug=f"roundtable-{number}",
                **_translated("title", f"Labour mobility of {WORD} {number}"),
                **_translated("background", "Work *abroad*."),
            )
            make_document(roundtable=roundtable, kind=Document.Kind.ACTION_PAPER, title=f"Action paper {number}")
            make_contribution(forum=forum, roundtable=roundtable, organisation_name=programme.organisation.name)
        sessions = roundtable.sessions.filter(kind=Session.Kind.SESSION)
        for session_number in range(sessions.count() + 1, sessions_per_roundtable + 1):
            _session_add(programme, roundtable, session_number)


def _edit(at, change):
    with revision():
        reversion.set_date_created(at)
        change()


def _programme_build():
    """The forum at its smaller size, published with a history (``_programme_grow_large`` grows it)."""
    with revision():
        reversion.set_date_created(FIRST_PUBLISHED)
        programme = _programme_start()
        _programme_grow(programme, **SMALL)
        # Not a session: shown across the timetable, in the booklet's "at a glance" only.
        make_session(
            roundtable=programme.roundtable,
            number=50,
            slug="opening-plenary",
            kind=Session.Kind.PLENARY,
            title="Opening plenary",
            starts_at=forum_time(programme.forum, 0, 8),
            ends_at=forum_time(programme.forum, 0, 8, 45),
            room=programme.rooms[0],
        )
    first = programme.sessions[0]
    _edit(FIRST_PUBLISHED + datetime.timedelta(days=1), lambda: _rename(first, "Rights of migrants, renamed"))
    contribution = programme.forum.contributions.order_by("pk").first()
    contribution.document.save("contribution.pdf", ContentFile(pdf_bytes()))
    return programme


def _rename(session, title):
    session.title = title
    session.save()


def _programme_grow_large(programme):
    """The same forum at its larger size, grown in later revisions (sessions added, one changed)."""
    _edit(FIRST_PUBLISHED + datetime.timedelta(days=2), lambda: _programme_grow(programme, **LARGE))
    last = programme.sessions[-1]
    _edit(FIRST_PUBLISHED + datetime.timedelta(days=3), lambda: _rename(last, f"{last.title}, renamed"))


# Counting.


def _shape(sql):
    """A query without its values (nor the length of its lists), so that the same query for another row or
    another number of rows counts as the same."""
    sql = re.sub(r"\b\d+\b", "N", re.sub(r"'[^']*'", "'…'", sql))
    return re.sub(r"\((?:(?:N|%s), )+(?:N|%s)\)", "(N, …)", sql)


def _more_often(small, large):
    """The queries ``large`` runs more often than ``small``, with how many times more."""
    extra = collections.Counter(map(_shape, large)) - collections.Counter(map(_shape, small))
    return "\n".join(f"{count}× {sql[:400]}" for sql, count in extra.most_common())


def _queries(client, url, *, status=200, warm=True):
    """The SQL of one request to ``url``, made anew: with the cache emptied, and after a first request to the
    address (unless ``warm`` is false: the process has made its page already)."""
    if warm:
        client.get(url)
    cache.clear()
    reset_queries()  # the log keeps 9,000 queries: one page over it would leave nothing to count for the next
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == status, url
    return [query["sql"] for query in context.captured_queries]


# The addresses: functions of the programme, as the larger forum may change them (an agenda lists more ids).


def _forum(name, language="en", query=""):
    def url(programme):
        with translation.override(language):
            return f"{reverse(name, kwargs={'forum': programme.forum.slug})}{query}"

    return url


def _of(name, record, language="en", query=""):
    """The address ``name`` of ``record(programme)``, keyed by its slug (a roundtable: forum and slug)."""

    def url(programme):
        obj = record(programme)
        kwargs = {"slug": obj.slug}
        if isinstance(obj, Roundtable):
            kwargs["forum"] = obj.forum.slug
        if isinstance(obj, Session):
            kwargs.update(forum=obj.roundtable.forum.slug, roundtable=obj.roundtable.slug)
        with translation.override(language):
            return f"{reverse(name, kwargs=kwargs)}{query}"

    return url


def _plain(name, language="en", query=""):
    def url(programme):
        with translation.override(language):
            return f"{reverse(name)}{query}"

    return url


def _session_ids(programme):
    return ",".join(str(session.pk) for session in programme.sessions)


def _agenda_shared(programme):
    return f"{reverse('sessions:agenda')}?sessions={_session_ids(programme)}"


def _agenda_calendar(programme):
    return f"{reverse('sessions:agenda-calendar')}?sessions={_session_ids(programme)}"


def _document(language=None):
    def url(programme):
        document = programme.session.documents.get()
        kwargs = {"pk": document.pk, **({"language": language} if language else {})}
        return reverse("sessions:document-file" if language else "sessions:document", kwargs=kwargs)

    return url


def _contribution(name):
    def url(programme):
        contribution = programme.forum.contributions.order_by("pk").first()
        return reverse(name, kwargs={"slug": contribution.slug})

    return url


def _roundtable(programme):
    return programme.roundtable


def _session(programme):
    return programme.session


def _theme(programme):
    return programme.themes[0]


def _chair(programme):
    return programme.chair


def _organisation(programme):
    return programme.organisation


def _agenda(programme):
    return reverse("sessions:agenda")


@dataclass(frozen=True)
class Address:
    url: object  # programme -> the address, asked at each size
    status: int = 200
    # "visitor"; "starrer", a visitor whose agenda cookie stars every session; "organiser", logged in.
    who: str = "visitor"


ADDRESSES = {
    "home": Address(_plain("roundtables:home"), status=302),
    "forum-list": Address(_plain("roundtables:forum-list")),
    "forum": Address(_forum("roundtables:forum")),
    "programme": Address(_forum("roundtables:programme")),
    "programme-rooms-grid": Address(_forum("roundtables:programme", query="?view=rooms")),
    "programme-day": Address(_forum("roundtables:programme", query="?day=2009-11-02")),
    "programme-roundtable": Address(_forum("roundtables:programme", query="?roundtable=1")),
    "programme-theme": Address(_forum("roundtables:programme", query="?theme=gender")),
    "programme-room-grid": Address(_forum("roundtables:programme", query="?room=room-a&view=rooms")),
    "programme-starred": Address(_forum("roundtables:programme"), who="starrer"),
    "programme-xlsx": Address(_forum("roundtables:programme-xlsx")),
    "programme-csv": Address(_forum("roundtables:programme-csv")),
    "changes": Address(_forum("roundtables:changes")),
    "changes-atom": Address(_forum("roundtables:changes-feed")),
    "documents": Address(_forum("roundtables:documents")),
    "roundtable": Address(_of("roundtables:roundtable", _roundtable)),
    "theme-list": Address(_plain("roundtables:theme-list")),
    "theme": Address(_of("roundtables:theme", _theme)),
    "session": Address(_of("roundtables:session", _session)),
    "session-starred": Address(_of("roundtables:session", _session), who="starrer"),
    "person": Address(_of("sessions:person", _chair)),
    "organisation": Address(_of("roundtables:organisation", _organisation)),
    # A search page costs a query per kind of record it shows: each search finds many of one kind.
    "search-sessions": Address(_plain("roundtables:search", query="?q=rights")),
    "search-issues": Address(_plain("roundtables:search", query="?q=recruitment")),
    "search-issues-page-2": Address(_plain("roundtables:search", query="?q=recruitment&page=2")),
    "search-people": Address(_plain("roundtables:search", query="?q=researcher")),
    "search-documents": Address(_plain("roundtables:search", query="?q=paper")),
    "sitemap": Address(_plain("sitemap")),
    "forum-ics": Address(_forum("sessions:forum-calendar")),
    "roundtable-ics": Address(_of("sessions:roundtable-calendar", _roundtable)),
    "session-ics": Address(_of("sessions:calendar", _session)),
    "theme-ics": Address(_of("sessions:theme-calendar", _theme)),
    "person-ics": Address(_of("sessions:person-calendar", _chair)),
    "agenda": Address(_agenda, who="starrer"),
    "agenda-shared": Address(_agenda_shared),
    "agenda-shared-ics": Address(_agenda_calendar),
    "schedule-xml": Address(_forum("sessions:schedule-xml")),
    "schedule-json": Address(_forum("sessions:schedule-json")),
    "document": Address(_document()),
    "document-fr": Address(_document("fr")),
    "good-practices": Address(_plain("contributions:library")),
    "good-practice": Address(_contribution("contributions:detail")),
    "good-practice-pdf": Address(_contribution("contributions:document")),
    "contribute-form": Address(_plain("contributions:submit")),
    "robots-txt": Address(_plain("robots-txt")),
    "healthz": Address(_plain("healthz")),
    # The same pages in French and Spanish, which read those languages' columns.
    "fr-forum": Address(_forum("roundtables:forum", "fr")),
    "fr-programme": Address(_forum("roundtables:programme", "fr")),
    "fr-session": Address(_of("roundtables:session", _session, "fr")),
    "fr-person": Address(_of("sessions:person", _chair, "fr")),
    "fr-search-issues": Address(_plain("roundtables:search", "fr", query="?q=recruitment")),
    "fr-schedule-json": Address(_forum("sessions:schedule-json", "fr")),
    "es-roundtable": Address(_of("roundtables:roundtable", _roundtable, "es")),
    "es-theme": Address(_of("roundtables:theme", _theme, "es")),
    "es-documents": Address(_forum("roundtables:documents", "es")),
    "es-organisation": Address(_of("roundtables:organisation", _organisation, "es")),
    "es-changes-atom": Address(_forum("roundtables:changes-feed", "es")),
    "es-forum-ics": Address(_forum("sessions:forum-calendar", "es")),
    "es-programme-xlsx": Address(_forum("roundtables:programme-xlsx", "es")),
}
# The organising committee's pages: the admin's dashboard and changelists, and the public pages as staff
# see them (drafts included, none here).
STAFF_PAGES = {
    "admin-dashboard": Address(_plain("admin:index"), who="organiser"),
    **{
        f"admin-{model.split('_')[-1]}": Address(_plain(f"admin:{model}_changelist"), who="organiser")
        for model in [
            "programme_sessions_session",
            "programme_sessions_issue",
            "programme_sessions_participation",
            "programme_sessions_person",
            "programme_sessions_organisation",
            "programme_sessions_document",
            "programme_sessions_room",
            "roundtables_forum",
            "roundtables_roundtable",
            "roundtables_theme",
            "contributions_contribution",
        ]
    },
    "staff-programme": Address(_forum("roundtables:programme"), who="organiser"),
    "staff-roundtable": Address(_of("roundtables:roundtable", _roundtable), who="organiser"),
    "staff-session": Address(_of("roundtables:session", _session), who="organiser"),
    "staff-person": Address(_of("sessions:person", _chair), who="organiser"),
    "staff-documents": Address(_forum("roundtables:documents"), who="organiser"),
    "staff-search-sessions": Address(_plain("roundtables:search", query="?q=rights"), who="organiser"),
}
# What a PDF shows, read as its template gets it (the PDF itself is not rendered).
PDFS = {f"{kind}-{language}": (kind, language) for kind in (BOOKLET, ROUNDTABLE, SESSION) for language in ("en", "fr")}
# Addresses with no line above, and why.
LEFT_OUT = {
    # Rendered as PDF documents: what they read is counted in PDFS.
    "sessions:pdf": "PDFS",
    "sessions:programme-pdf": "PDFS",
    "sessions:roundtable-pdf": "PDFS",
    # Forms posted to change the visitor's agenda cookie: they read one session, or those posted.
    "sessions:agenda-toggle": "a form's target",
    "sessions:agenda-add": "a form's target",
    # They read no programme.
    "contributions:thanks": "no programme",
    "favicon": "no programme",
    "set_language": "no programme",
}


def _pdf_queries(programme, kind, language):
    obj = {BOOKLET: programme.forum, ROUNDTABLE: programme.roundtable, SESSION: programme.session}[kind]
    cache.clear()
    reset_queries()
    with translation.override(language), CaptureQueriesContext(connection) as context:
        template_context(export_for(kind, obj))
    return [query["sql"] for query in context.captured_queries]


def _sizes(programme):
    forum = programme.forum
    sessions = Session.objects.in_forum(forum).filter(kind=Session.Kind.SESSION)
    return {
        "sessions": sessions.count(),
        "roundtables": forum.roundtables.count(),
        "people": Person.objects.filter(participations__session__in=sessions).distinct().count(),
        "people of the organisation": programme.organisation.people.count(),
        "issues": Issue.objects.filter(session__in=sessions).count(),
        "documents": forum.documents.count(),
        "contributions": forum.contributions.count(),
        "roles of the chair": programme.chair.participations.count(),
        "rooms used": Room.objects.filter(sessions__in=sessions).distinct().count(),
        "themes used": Theme.objects.filter(sessions__in=sessions).distinct().count(),
    }


def _attempt(count, *args, **kwargs):
    """The queries ``count`` saw, or the exception it raised (re-raised by the test of that address)."""
    try:
        return count(*args, **kwargs)
    except Exception as error:
        return error


def _measure(programme, clients, names, *, warm=True):
    """The queries of the addresses, PDFs and staff pages ``names``, each SQL list or the exception raised."""
    clients["starrer"].cookies[AGENDA_COOKIE] = agenda_cookie_value([s.pk for s in programme.sessions])
    measures = {}
    for name in names:
        if name in PDFS:
            measures[name] = _attempt(_pdf_queries, programme, *PDFS[name])
        else:
            address = {**ADDRESSES, **STAFF_PAGES}[name]
            url = address.url(programme)
            measures[name] = _attempt(_queries, clients[address.who], url, status=address.status, warm=warm)
    return measures


def _measure_both_sizes(programme, clients):
    names = [*ADDRESSES, *STAFF_PAGES, *PDFS]
    small, small_sizes = _measure(programme, clients, names), _sizes(programme)
    _programme_grow_large(programme)
    large, large_sizes = _measure(programme, clients, names), _sizes(programme)
    view_names = set()
    for address in ADDRESSES.values():
        path = address.url(programme).split("?")[0]
        language = path.split("/")[1] if path.split("/")[1] in {"fr", "es"} else "en"
        with translation.override(language):
            view_names.add(resolve(path).view_name)
    return {
        "queries": {name: (small[name], large[name]) for name in names},
        "sizes": (small_sizes, large_sizes),
        "view names": view_names,
    }


# The same addresses between synthetic forums of 8 and of 300 sessions (manage.py make_synthetic_forum, written
# in bulk): those that read no record the synthetic forum lacks (contributions, history, the words searched
# for above) nor a filter value of the forum above (its theme and room names).
AT_300 = [
    *(
        name
        for name in ADDRESSES
        if name
        not in {
            "home",
            "programme-theme",
            "programme-room-grid",
            "document",
            "document-fr",
            "good-practice",
            "good-practice-pdf",
            "fr-search-issues",
        }
        and not name.startswith("search-")
    ),
    "search-documents",
    *(name for name in STAFF_PAGES if "search" not in name),
    *PDFS,
]
SYNTHETIC = {
    8: {"roundtables": 2, "people": 20, "rooms": 3, "themes": 4},
    300: {"roundtables": 20, "people": 400, "rooms": 25, "themes": 4},
}


def _synthetic_programme(sessions):
    forum = synthetic_forum_build(
        slug="synthetic-scaling",
        sessions=sessions,
        issues=3,
        points=2,
        seed=2009,
        starts_on=datetime.date(2009, 11, 2),
        time_zone="Europe/Athens",
        **SYNTHETIC[sessions],
    )
    people = Person.objects.filter(slug__startswith="synthetic-scaling-person-")
    chair = people.annotate(roles=Count("participations")).order_by("-roles", "pk").first()
    return Programme(
        forum=forum,
        themes=list(Theme.objects.filter(slug__startswith="synthetic-theme-").order_by("pk")),
        rooms=list(forum.rooms.all()),
        chair=chair,
        organisation=chair.organisation,
        sessions=list(Session.objects.in_forum(forum).order_by("roundtable__number", "number")),
    )


def _measure_8_and_300(clients):
    with transaction.atomic():  # the forum of 8 sessions is measured, then taken back
        programme = _synthetic_programme(8)
        small, small_sessions = _measure(programme, clients, AT_300, warm=False), len(programme.sessions)
        transaction.set_rollback(True)
    programme = _synthetic_programme(300)
    large, large_sessions = _measure(programme, clients, AT_300, warm=False), len(programme.sessions)
    return {
        "queries": {name: (small[name], large[name]) for name in AT_300},
        "sessions": (small_sessions, large_sessions),
    }


_MEASURED = {}


@pytest.fixture
def measured(db, settings):
    """The queries of every address at both sizes of the forum, and of most between the synthetic forums,
    measured once for all the tests here (building the forums takes seconds); each test compares the counts
    of its address."""
    if not _MEASURED:
        settings.PAGE_CACHE = False
        try:
            organiser = make_user(username="committee", is_staff=True)
            organiser.groups.add(organiser_group_ensure())
            organiser_client = Client()
            organiser_client.force_login(organiser)
            clients = {"visitor": Client(), "starrer": Client(), "organiser": organiser_client}
            # Each forum is taken back after it is measured: a page listing every forum's records (the
            # admin's changelists, the sitemap) lists those of the forum measured only.
            with transaction.atomic():
                _MEASURED.update(_measure_both_sizes(_programme_build(), clients))
                transaction.set_rollback(True)
            _MEASURED["synthetic"] = _measure_8_and_300(clients)
        except Exception as error:
            _MEASURED["failed"] = error  # every test fails with it at once, rather than building again
            raise
    if "failed" in _MEASURED:
        pytest.fail(f"Measuring failed in an earlier test: {_MEASURED['failed']!r}", pytrace=False)
    return _MEASURED


def _assert_same_count(measures, sizes=(8, 24)):
    small, large = measures
    for measure in measures:
        if isinstance(measure, Exception):
            raise measure

    assert len(large) == len(small), (
        f"{len(small)} queries at {sizes[0]} sessions, {len(large)} at {sizes[1]}; more often:\n"
        + _more_often(small, large)
    )


@pytest.mark.parametrize("name", list(ADDRESSES))
def test_public_address_queries_stay_constant_as_the_forum_grows(measured, name):
    _assert_same_count(measured["queries"][name])


@pytest.mark.parametrize("name", list(PDFS))
def test_pdf_content_queries_stay_constant_as_the_forum_grows(measured, name):
    _assert_same_count(measured["queries"][name])


@pytest.mark.parametrize("name", list(STAFF_PAGES))
def test_staff_page_queries_stay_constant_as_the_forum_grows(measured, name):
    _assert_same_count(measured["queries"][name])


@pytest.mark.parametrize("name", AT_300)
def test_queries_stay_constant_from_8_to_300_synthetic_sessions(measured, name):
    _assert_same_count(measured["synthetic"]["queries"][name], sizes=(8, 300))


def test_the_synthetic_forums_have_8_and_300_sessions(measured):
    assert measured["synthetic"]["sessions"] == (8, 300)


def test_every_public_address_is_counted(measured):
    """A new address of the portal gets a line in ADDRESSES, or one in LEFT_OUT saying why not."""
    names = set()

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace)
            elif pattern.name:
                names.add(f"{namespace}{pattern.name}")

    walk(get_resolver().url_patterns)

    assert names - set(LEFT_OUT) - measured["view names"] == set()
    assert set(LEFT_OUT) <= names


def test_the_larger_forum_has_more_of_everything(measured):
    """What the counts are compared over: three times the sessions, their people, issues and papers."""
    assert measured["sizes"] == (
        {
            "sessions": 8,
            "roundtables": 2,
            "people": 8 * 4 + 1,
            "people of the organisation": 8 * 2 + 1,
            "issues": 8 * 5,
            "documents": 1 + 2 + 8,
            "contributions": 2 + 8,
            "roles of the chair": 8,
            "rooms used": 2,
            "themes used": 2,
        },
        {
            "sessions": 24,
            "roundtables": 4,
            "people": 24 * 4 + 1,
            "people of the organisation": 24 * 2 + 1,
            "issues": 24 * 5,
            "documents": 1 + 4 + 24,
            "contributions": 4 + 24,
            "roles of the chair": 24,
            "rooms used": 2,
            "themes used": 2,
        },
    )
