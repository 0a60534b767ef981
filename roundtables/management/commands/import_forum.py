from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from roundtables.archive import forum_import


class Command(BaseCommand):
    help = "Import a forum from an archive made by export_forum (refused if its slug already exists)."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .zip archive.")

    def handle(self, *args, path, **options):
        source = Path(path)
        if not source.exists():
            raise CommandError(f"No such file: {source}")
        try:
            with source.open("rb") as fileobj:
                forum = forum_import(fileobj=fileobj)
        except (ValidationError, ValueError, KeyError) as error:
            raise CommandError(f"Nothing was imported: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Imported {forum.name} ({forum.slug})."))
