from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programme.archive import forum_import


class Command(BaseCommand):
    help = (
        "Import a forum from an archive made by export_forum. The whole archive is checked first; "
        "if anything is wrong (a forum with the same slug, a file too large or of the wrong type, "
        "a damaged or unsafe entry, a malformed forum.json), every problem is listed and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .zip archive.")

    def handle(self, *args, path, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        try:
            with source.open("rb") as fileobj:
                imported = forum_import(fileobj=fileobj)
        except ValidationError as error:
            problems = "\n".join(f"- {message}" for message in error.messages)
            raise CommandError(f"Nothing was imported from {source}:\n{problems}") from error
        forum = imported.forum
        for note in imported.notes:
            self.stderr.write(self.style.WARNING(note))
        self.stdout.write(self.style.SUCCESS(f"Imported {forum.name} ({forum.slug})."))
