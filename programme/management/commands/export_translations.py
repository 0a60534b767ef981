from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from programme.xliff import TARGET_LANGUAGES, forum_xliff_export, target_language
from roundtables.models import Forum


class Command(BaseCommand):
    help = (
        "Write a forum's English texts, with their translations where the portal has them, as an XLIFF 1.2 "
        "file for translators into one language (fr or es)."
    )

    def add_arguments(self, parser):
        parser.add_argument("forum", help="The forum's slug, e.g. athens-2009.")
        parser.add_argument("language", help=f"The language to translate into: {', '.join(TARGET_LANGUAGES)}.")
        parser.add_argument("path", help="Where to write the file, e.g. athens-2009-fr.xlf.")

    def handle(self, *args, forum, language, path, **options):
        found = Forum.objects.filter(slug=forum).first()
        if found is None:
            raise CommandError(f"No forum with the slug “{forum}”.")
        try:
            language = target_language(language)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        target = Path(path)
        if not target.parent.is_dir():
            raise CommandError(f"No such folder: {target.parent}")
        data = forum_xliff_export(forum=found, language=language)
        target.write_bytes(data)
        units = data.count(b"<trans-unit ")
        self.stdout.write(
            self.style.SUCCESS(f"{found.name}: {units} texts for translation into {language} written to {target}.")
        )
