import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from roundtables.services import organiser_group_ensure


class Command(BaseCommand):
    help = (
        "Make sure an organiser account exists, in the Organising committee group. The password comes "
        "from ORGANISER_PASSWORD, or is generated and printed once when the account is created."
    )

    def handle(self, *args, **options):
        username = os.environ.get("ORGANISER_USERNAME", "organiser")
        password = os.environ.get("ORGANISER_PASSWORD", "")
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": os.environ.get("ORGANISER_EMAIL", "")}
        )
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        user.groups.add(organiser_group_ensure())

        if created or password:
            generated = not password
            if generated:
                password = secrets.token_urlsafe(12)
            user.set_password(password)
            user.save(update_fields=["password"])
            self.stdout.write(self.style.SUCCESS(f"Organiser account “{username}” is ready."))
            if generated:
                self.stdout.write(f"  password: {password}")
                self.stdout.write("  (generated now and shown only this once; set ORGANISER_PASSWORD to choose one)")
            else:
                self.stdout.write("  password: the one in ORGANISER_PASSWORD")
        else:
            self.stdout.write(
                f"Organiser account “{username}” exists; its password is unchanged "
                "(run again with ORGANISER_PASSWORD=... to set a new one)."
            )
