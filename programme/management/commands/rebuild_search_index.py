from django.core.management.base import BaseCommand, CommandError

from programme.search_index import timed_rebuild
from roundtables.models import Forum


class Command(BaseCommand):
    help = (
        "Write the search index anew from the programme: every record, or those of one forum (its sessions, "
        "issues, roundtables, rooms, documents and good practices, the people in its sessions and their themes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--forum", metavar="SLUG", help="Only this forum's records.")

    def handle(self, *args, **options):
        forum = None
        if options["forum"]:
            forum = Forum.objects.filter(slug=options["forum"]).first()
            if forum is None:
                raise CommandError(f"No forum “{options['forum']}”.")
        written, seconds = timed_rebuild(forum=forum)
        counts = ", ".join(f"{kind} {count}" for kind, count in written.items())
        self.stdout.write(
            self.style.SUCCESS(f"Search index: {sum(written.values())} entries written in {seconds:.1f} s ({counts}).")
        )
