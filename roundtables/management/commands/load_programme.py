from pathlib import Path

from django.core.management.base import BaseCommand

from roundtables.services import programme_load

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class Command(BaseCommand):
    help = "Load (or bring up to date) a programme shipped with the portal; by default Athens 2009."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DATA_DIR / "athens-2009.json"),
            help="JSON file describing a forum (default: the Athens 2009 programme).",
        )

    def handle(self, *args, **options):
        forum = programme_load(path=options["path"])
        roundtables = forum.roundtables.count()
        sessions = sum(roundtable.sessions.count() for roundtable in forum.roundtables.all())
        self.stdout.write(self.style.SUCCESS(f"{forum.name}: {roundtables} roundtables, {sessions} sessions loaded."))
