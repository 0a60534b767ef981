"""Build a large, made-up, published forum to measure the portal with: ``manage.py make_synthetic_forum``.

Deterministic: the same options (and --seed) give the same forum, title for title. Records are
written in bulk, so building 300 sessions takes a second or two; the programme's version stamp is
bumped once at the end, since bulk writes send no signals.
"""

import argparse
import datetime
import math
import random
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_slug
from django.db import transaction

from core.forum_time import forum_datetime
from core.programme_version import programme_bump
from programme.search_index import search_index_rebuild
from roundtables.models import Forum, Roundtable, Status, Theme
from sessions.models import Document, DocumentFile, Issue, Organisation, Participation, Person, Room, Session

SYNTHETIC_CITY = "Synthetica"  # marks a forum as made by this command: only those are ever replaced
SLOTS = [((9, 0), (10, 30)), ((11, 0), (12, 30)), ((14, 0), (15, 30)), ((16, 0), (17, 30))]
# Every session gets a chair, a moderator, a rapporteur, three speakers and a resource person.
ROLES = [
    Participation.Role.CHAIR,
    Participation.Role.MODERATOR,
    Participation.Role.RAPPORTEUR,
    Participation.Role.SPEAKER,
    Participation.Role.SPEAKER,
    Participation.Role.SPEAKER,
    Participation.Role.RESOURCE_PERSON,
]
THEMES_PER_SESSION = 2
ISSUE_KINDS = [Issue.Kind.MAIN_ISSUE, Issue.Kind.PROPOSED_THEME, Issue.Kind.QUESTION]

TOPICS = [
    "labour mobility",
    "remittances",
    "diaspora engagement",
    "circular migration",
    "migrants' rights",
    "skills recognition",
    "return and reintegration",
    "irregular migration",
    "climate and displacement",
    "social protection",
    "recruitment practices",
    "family reunification",
    "migrant women",
    "unaccompanied children",
    "local integration",
    "policy coherence",
    "data and research",
    "regional processes",
    "health of migrants",
    "education and youth",
]
VERBS = ["strengthening", "rethinking", "measuring", "financing", "protecting", "connecting", "governing", "sharing"]
PLACES = ["countries of origin", "countries of destination", "transit countries", "cities", "regions", "communities"]
FIRST_NAMES = [
    "Amina", "Carlos", "Chen", "Daniela", "Emeka", "Fatima", "Giorgos", "Hana", "Ibrahim", "Jana",
    "Kwame", "Lucía", "Maria", "Nikos", "Olga", "Pedro", "Quynh", "Rahul", "Sofia", "Tariq",
]  # fmt: skip
LAST_NAMES = [
    "Abebe", "Bianchi", "Castro", "Dimitriou", "Estrada", "Fofana", "García", "Haddad", "Ivanova", "Jensen",
    "Kamau", "Lopez", "Mendoza", "Nguyen", "Okafor", "Papadopoulos", "Quispe", "Rossi", "Santos", "Tan",
]  # fmt: skip
ORGANISATION_WORDS = ["Migrant", "Diaspora", "Workers'", "Community", "Solidarity", "Rights", "Development"]


def _positive(value):
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return number


def _not_negative(value):
    number = int(value)
    if number < 0:
        raise argparse.ArgumentTypeError("must be 0 or more")
    return number


def _sentence(rng):
    return f"{rng.choice(VERBS).capitalize()} {rng.choice(TOPICS)} in {rng.choice(PLACES)}"


def synthetic_forum_delete(*, slug):
    """Remove the synthetic forum ``slug`` with its sessions, and the people and organisations made for it."""
    forum = Forum.objects.filter(slug=slug).first()
    if forum is not None:
        for document_file in DocumentFile.objects.filter(document__forum=forum):
            document_file.file.delete(save=False)
        sessions = Session.objects.in_forum(forum)
        Participation.objects.filter(session__in=sessions).delete()
        sessions.delete()
        Roundtable.objects.filter(forum=forum).delete()
        forum.delete()
    Person.objects.filter(slug__startswith=f"{slug}-person-", participations__isnull=True).delete()
    Organisation.objects.filter(slug__startswith=f"{slug}-org-").delete()
    Theme.objects.filter(slug__startswith="synthetic-theme-", sessions__isnull=True).delete()


@transaction.atomic
def synthetic_forum_build(
    *,
    slug,
    roundtables,
    sessions,
    people,
    rooms,
    themes,
    issues,
    points,
    seed,
    starts_on,
    time_zone,
):
    """Create the published forum ``slug`` with the given numbers of records; returns the forum."""
    rng = random.Random(seed)
    days = math.ceil(math.ceil(sessions / rooms) / len(SLOTS))
    forum = Forum.objects.create(
        name=f"Civil Society Days, synthetic forum ({sessions} sessions)",
        slug=slug,
        city=SYNTHETIC_CITY,
        country="Benchmarkia",
        venue="Convention Centre",
        starts_on=starts_on,
        ends_on=starts_on + datetime.timedelta(days=days - 1),
        time_zone=time_zone,
        status=Status.PUBLISHED,
        description="A made-up programme, generated to measure the portal under a large forum.",
    )

    theme_records = []
    for n in range(1, themes + 1):
        topic = TOPICS[(n - 1) % len(TOPICS)]
        theme, _ = Theme.objects.get_or_create(
            slug=f"synthetic-theme-{n}",
            defaults={"name": f"{topic.capitalize()} (synthetic {n})", "description": f"Sessions on {topic}."},
        )
        theme_records.append(theme)

    room_records = Room.objects.bulk_create(
        Room(forum=forum, name=f"Room {n}", capacity=rng.choice([40, 60, 80, 120, 200]), position=n)
        for n in range(1, rooms + 1)
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"{rng.choice(ORGANISATION_WORDS)} {rng.choice(TOPICS).title()} Network {slug} {n}",
            slug=f"{slug}-org-{n}",
            kind=rng.choice(Organisation.Kind.values),
            country=rng.choice(LAST_NAMES) + "land",
        )
        for n in range(1, max(1, people // 5) + 1)
    )
    people_records = Person.objects.bulk_create(
        Person(
            name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
            slug=f"{slug}-person-{n}",
            organisation=rng.choice(organisations),
            position=rng.choice(["Director", "Researcher", "Coordinator", "Policy officer", "Chair"]),
            biography=f"Works on {rng.choice(TOPICS)} and {rng.choice(TOPICS)}.",
        )
        for n in range(1, people + 1)
    )
    roundtable_records = Roundtable.objects.bulk_create(
        Roundtable(
            forum=forum,
            number=n,
            title=f"{_sentence(rng)} and {rng.choice(TOPICS)}",
            slug=f"roundtable-{n}",
            background=f"{_sentence(rng)}. {_sentence(rng)}.",
        )
        for n in range(1, roundtables + 1)
    )

    session_records = []
    for index in range(sessions):
        slot, room = divmod(index, rooms)
        day, slot_in_day = divmod(slot, len(SLOTS))
        (start_hour, start_minute), (end_hour, end_minute) = SLOTS[slot_in_day]
        date = starts_on + datetime.timedelta(days=day)
        session_records.append(
            Session(
                roundtable=roundtable_records[index % roundtables],
                number=index // roundtables + 1,
                title=_sentence(rng),
                slug=f"session-{index // roundtables + 1}",
                background="\n\n".join(f"{_sentence(rng)}, and {_sentence(rng).lower()}." for _ in range(3)),
                starts_at=forum_datetime(date, datetime.time(start_hour, start_minute), forum),
                ends_at=forum_datetime(date, datetime.time(end_hour, end_minute), forum),
                room=room_records[room],
                status=Status.PUBLISHED,
            )
        )
    session_records = Session.objects.bulk_create(session_records)

    Session.themes.through.objects.bulk_create(
        Session.themes.through(session=session, theme=theme)
        for session in session_records
        for theme in rng.sample(theme_records, min(THEMES_PER_SESSION, themes))
    )
    Participation.objects.bulk_create(
        Participation(session=session, person=person, role=role, position=position)
        for session in session_records
        for position, (person, role) in enumerate(zip(rng.sample(people_records, len(ROLES)), ROLES, strict=True))
    )
    top_issues = Issue.objects.bulk_create(
        Issue(session=session, kind=ISSUE_KINDS[n % len(ISSUE_KINDS)], text=f"{_sentence(rng)}?", position=n + 1)
        for session in session_records
        for n in range(issues)
    )
    Issue.objects.bulk_create(
        Issue(session_id=issue.session_id, parent=issue, kind=Issue.Kind.POINT, text=_sentence(rng), position=n + 1)
        for issue in top_issues
        for n in range(points)
    )
    _documents_build(forum, roundtable_records, session_records, rng)
    search_index_rebuild(forum=forum)  # bulk writes send no signals: the index is written for the forum here
    programme_bump()
    return forum


def _documents_build(forum, roundtables, sessions, rng):
    """An action paper per roundtable in the three languages, and a background paper in English shared by
    every tenth session and the next one: the many-to-many documents pages and exports show."""
    storage = DocumentFile._meta.get_field("file").storage
    documents, files = [], []
    for roundtable in roundtables:
        documents.append(
            (
                Document(forum=forum, title=f"Action paper: {roundtable.title}", kind=Document.Kind.ACTION_PAPER),
                {"roundtables": [roundtable]},
                Document.Language.values,
            )
        )
    for index in range(0, len(sessions) - 1, 10):
        documents.append(
            (
                Document(forum=forum, title=f"Background paper: {_sentence(rng)}", kind=Document.Kind.BACKGROUND_PAPER),
                {"sessions": sessions[index : index + 2]},
                [Document.Language.ENGLISH],
            )
        )
    records = Document.objects.bulk_create(document for document, _places, _languages in documents)
    session_links, roundtable_links = [], []
    for record, (_document, places, languages) in zip(records, documents, strict=True):
        session_links += [Document.sessions.through(document=record, session=s) for s in places.get("sessions", [])]
        roundtable_links += [
            Document.roundtables.through(document=record, roundtable=r) for r in places.get("roundtables", [])
        ]
        for language in languages:
            content = f"{record.title}\n\n({language}) {_sentence(rng)}.\n".encode()
            name = storage.save(f"documents/synthetic/{forum.slug}/{record.pk}-{language}.txt", ContentFile(content))
            files.append(DocumentFile(document=record, language=language, file=name, size=len(content)))
    Document.sessions.through.objects.bulk_create(session_links)
    Document.roundtables.through.objects.bulk_create(roundtable_links)
    DocumentFile.objects.bulk_create(files)


class Command(BaseCommand):
    help = (
        "Build a large published forum of made-up sessions to measure the portal with. Deterministic "
        "(--seed); refuses to touch an existing forum unless --replace, which deletes and rebuilds it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--slug", default="synthetic-forum", help="Slug of the forum (default: %(default)s).")
        parser.add_argument("--roundtables", type=_positive, default=20, help="Default: %(default)s.")
        parser.add_argument("--sessions", type=_positive, default=300, help="Default: %(default)s.")
        parser.add_argument(
            "--people", type=_positive, default=400, help=f"At least {len(ROLES)}. Default: %(default)s."
        )
        parser.add_argument(
            "--rooms", type=_positive, default=25, help="Parallel sessions per time slot. Default: %(default)s."
        )
        parser.add_argument("--themes", type=_positive, default=12, help="Default: %(default)s.")
        parser.add_argument("--issues", type=_not_negative, default=3, help="Issues per session. Default: %(default)s.")
        parser.add_argument(
            "--points", type=_not_negative, default=2, help="Sub-points per issue. Default: %(default)s."
        )
        parser.add_argument("--seed", type=int, default=2009, help="Default: %(default)s.")
        parser.add_argument(
            "--starts-on",
            type=datetime.date.fromisoformat,
            default=datetime.date(2008, 10, 27),
            help="First day (YYYY-MM-DD); before Athens 2009 by default, so / still leads to Athens.",
        )
        parser.add_argument("--time-zone", default="Asia/Manila", help="Default: %(default)s.")
        parser.add_argument("--replace", action="store_true", help="Delete the forum first if it exists.")

    def handle(self, *args, **options):
        slug = options["slug"]
        try:
            validate_slug(slug)
        except ValidationError as error:
            raise CommandError(f"--slug: {' '.join(error.messages)}") from error
        if options["people"] < len(ROLES):
            raise CommandError(f"--people must be at least {len(ROLES)}, one per role in a session.")
        if options["time_zone"] not in zoneinfo.available_timezones():
            raise CommandError(f"Unknown time zone {options['time_zone']!r}.")
        if options["sessions"] // options["roundtables"] + 1 > 32767:
            raise CommandError("Too many sessions per roundtable.")
        with transaction.atomic():
            existing = Forum.objects.filter(slug=slug).first()
            if existing is not None:
                if not options["replace"]:
                    raise CommandError(f"A forum “{slug}” exists already; give --replace to delete and rebuild it.")
                if existing.city != SYNTHETIC_CITY:
                    raise CommandError(f"The forum “{slug}” was not made by this command: it is left alone.")
                synthetic_forum_delete(slug=slug)
            forum = synthetic_forum_build(
                slug=slug,
                roundtables=options["roundtables"],
                sessions=options["sessions"],
                people=options["people"],
                rooms=options["rooms"],
                themes=options["themes"],
                issues=options["issues"],
                points=options["points"],
                seed=options["seed"],
                starts_on=options["starts_on"],
                time_zone=options["time_zone"],
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{forum.name}: {options['roundtables']} roundtables, {options['sessions']} sessions, "
                f"{options['people']} people, {options['rooms']} rooms, {forum.starts_on}–{forum.ends_on} "
                f"({forum.time_zone}); at {forum.get_absolute_url()}"
            )
        )
