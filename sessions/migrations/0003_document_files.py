# A document becomes one record with a file per language (DocumentFile), attached to any number of
# sessions and roundtables, and always to its forum. This migration adds the new parts beside the
# old ones; 0004 converts the rows and 0005 removes the old columns.

import django.db.models.deletion
from django.db import migrations, models

import sessions.validators


class Migration(migrations.Migration):
    dependencies = [
        ("programme_sessions", "0002_text_limits"),
        ("roundtables", "0004_text_limits"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="document", name="document_attached_to_one_place"),
        # The old single places give up their reverse names to the new many-to-many fields.
        migrations.AlterField(
            model_name="document",
            name="session",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="programme_sessions.session",
                verbose_name="session",
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="roundtable",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="roundtables.roundtable",
                verbose_name="roundtable",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="sessions",
            field=models.ManyToManyField(
                blank=True,
                help_text="The sessions it is a paper of. It shows on their pages and handouts.",
                related_name="documents",
                to="programme_sessions.session",
                verbose_name="sessions",
            ),
        ),
        migrations.AddField(
            model_name="document",
            name="roundtables",
            field=models.ManyToManyField(
                blank=True,
                help_text="The roundtables it is a paper of. It shows on their pages and on the pages of all "
                "their sessions.",
                related_name="documents",
                to="roundtables.roundtable",
                verbose_name="roundtables",
            ),
        ),
        migrations.AlterField(
            model_name="document",
            name="kind",
            field=models.CharField(
                choices=[
                    ("concept_note", "Concept note"),
                    ("action_paper", "Action paper"),
                    ("background_paper", "Background paper"),
                    ("rapporteur_report", "Rapporteur’s report"),
                    ("outcome_document", "Outcome document"),
                    ("report", "Report"),
                    ("contribution", "Contribution"),
                    ("other", "Other"),
                ],
                max_length=20,
                verbose_name="kind",
            ),
        ),
        migrations.CreateModel(
            name="DocumentFile",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "language",
                    models.CharField(
                        choices=[("en", "English"), ("fr", "French"), ("es", "Spanish")],
                        default="en",
                        max_length=5,
                        verbose_name="language",
                    ),
                ),
                (
                    "file",
                    models.FileField(
                        help_text="A PDF document or a plain text file.",
                        upload_to="documents/%Y/",
                        validators=[sessions.validators.validate_document_file],
                        verbose_name="file",
                    ),
                ),
                (
                    "size",
                    models.PositiveBigIntegerField(blank=True, editable=False, null=True, verbose_name="size in bytes"),
                ),
                (
                    "document",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="files",
                        to="programme_sessions.document",
                        verbose_name="document",
                    ),
                ),
            ],
            options={
                "verbose_name": "file",
                "verbose_name_plural": "files, one per language",
                "ordering": ["document", "language"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("document", "language"),
                        name="document_file_language_unique",
                        violation_error_message="The document has a file in this language already.",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("language__in", ["en", "fr", "es"])), name="document_file_language_known"
                    ),
                ],
            },
        ),
    ]
