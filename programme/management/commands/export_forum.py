from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from programme.archive import archive_name, forum_export
from roundtables.models import Forum


class Command(BaseCommand):
    help = "Export a whole forum (programme, people, documents and their files) to one .zip archive."

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The forum's slug, e.g. athens-2009.")
        parser.add_argument("path", nargs="?", help="Where to write the archive (default: <slug>-<date>.zip).")

    def handle(self, *args, slug, path, **options):
        forum = Forum.objects.filter(slug=slug).first()
        if forum is None:
            raise CommandError(f"No forum with the slug “{slug}”.")
        target = Path(path or archive_name(forum))
        with target.open("wb") as fileobj:
            data = forum_export(forum=forum, fileobj=fileobj)
        sessions = sum(len(item["sessions"]) for item in data["roundtables"])
        self.stdout.write(
            self.style.SUCCESS(
                f"{forum.name}: {len(data['roundtables'])} roundtables, {sessions} sessions, "
                f"{len(data['people'])} people, {len(data['documents'])} documents written to {target}."
            )
        )
