from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programme.xliff import forum_xliff_import
from roundtables.models import Forum


def _count(count, noun, verb):
    return f"{count} {noun}{'' if count == 1 else 's'} {verb}"


class Command(BaseCommand):
    help = (
        "Read back an XLIFF 1.2 file made by export_translations, with its targets filled in: only the texts "
        "of the file's language are written. The whole file is checked first; if anything is wrong (another "
        "forum or language, a translation too long, an unsafe XML document), every problem is listed and "
        "nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The .xlf file.")
        parser.add_argument("--forum", help="Refuse the file unless it is for the forum of this slug.")
        parser.add_argument("--language", help="Refuse the file unless it is for this language (fr or es).")

    def handle(self, *args, path, forum, language, **options):
        source = Path(path)
        if not source.is_file():
            raise CommandError(f"No such file: {source}")
        expected = None
        if forum:
            expected = Forum.objects.filter(slug=forum).first()
            if expected is None:
                raise CommandError(f"No forum with the slug “{forum}”.")
        try:
            with source.open("rb") as fileobj:
                report = forum_xliff_import(fileobj=fileobj, forum=expected, language=language, filename=source.name)
        except ValidationError as error:
            problems = "\n".join(f"- {message}" for message in error.messages)
            raise CommandError(f"Nothing was imported from {source}:\n{problems}") from error
        for label in report.source_changed:
            self.stderr.write(self.style.WARNING(f"Source changed since export, check: {label}"))
        for refusal in report.refused:
            self.stderr.write(self.style.WARNING(f"Refused: {refusal}"))
        counts = [
            _count(len(report.updated), "text", "updated"),
            f"{report.unchanged} unchanged",
            _count(report.empty, "empty target", "skipped"),
            f"{len(report.source_changed)} with a changed English source",
            _count(len(report.refused), "unit", "refused"),
        ]
        self.stdout.write(self.style.SUCCESS(f"{report.forum.name} ({report.language}): {', '.join(counts)}."))
