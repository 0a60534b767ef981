from pathlib import Path

from django.core.management.base import BaseCommand

from contributions.services import contributions_load_demo
from roundtables.services import programme_load

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
DEFAULT_PATH = str(DATA_DIR / "athens-2009.json")


class Command(BaseCommand):
    help = "Load (or bring up to date) a programme shipped with the portal; by default Athens 2009."

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=DEFAULT_PATH,
            help="JSON file describing a forum (default: the Athens 2009 programme, then the demo contributions).",
        )

    def handle(self, *args, **options):
        forum = programme_load(path=options["path"])
        roundtables = forum.roundtables.count()
        sessions = sum(roundtable.sessions.count() for roundtable in forum.roundtables.all())
        self.stdout.write(self.style.SUCCESS(f"{forum.name}: {roundtables} roundtables, {sessions} sessions loaded."))
        if options["path"] == DEFAULT_PATH:  # the shipped demo also has contributions, to themes defined above
            demo_forum, contributions = contributions_load_demo()
            self.stdout.write(self.style.SUCCESS(f"{demo_forum.name}: {len(contributions)} contributions loaded."))
