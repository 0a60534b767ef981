from pathlib import Path

from django.core.management.base import BaseCommand

from programme.search_index import timed_rebuild
from programme.services import contributions_load_demo, programme_load

DATA_DIR = Path(__file__).resolve().parents[3] / "roundtables" / "data"  # the demo programmes
DEFAULT_PATH = str(DATA_DIR / "athens-2009.json")
# The demo: Athens 2009 (the concept note's programme, which names nobody), then Dhaka 2016 (which
# shares Athens' themes and has fictional people in its roles), then the demo contributions.
DEMO_PATHS = [DEFAULT_PATH, str(DATA_DIR / "dhaka-2016.json")]


class Command(BaseCommand):
    help = (
        "Load (or bring up to date) a programme shipped with the portal; by default the demo: Athens 2009, "
        "Dhaka 2016 and the demo contributions."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=None,
            help="JSON file describing a forum (default: the Athens 2009 and Dhaka 2016 programmes, then the demo "
            "contributions).",
        )

    def handle(self, *args, **options):
        for path in [options["path"]] if options["path"] else DEMO_PATHS:
            forum = programme_load(path=path)
            roundtables = forum.roundtables.count()
            sessions = sum(roundtable.sessions.count() for roundtable in forum.roundtables.all())
            self.stdout.write(
                self.style.SUCCESS(f"{forum.name}: {roundtables} roundtables, {sessions} sessions loaded.")
            )
        if not options["path"]:  # the demo also has contributions, to themes defined above
            demo_forum, contributions = contributions_load_demo()
            self.stdout.write(self.style.SUCCESS(f"{demo_forum.name}: {len(contributions)} contributions loaded."))
        # Loading follows the index record by record; a database filled before the index existed (or by a
        # bulk write) gets its index here, so search finds the whole programme after `make run`.
        written, seconds = timed_rebuild()
        self.stdout.write(self.style.SUCCESS(f"Search index: {sum(written.values())} entries in {seconds:.1f} s."))
