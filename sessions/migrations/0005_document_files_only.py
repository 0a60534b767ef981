# The old columns go: a document's files, languages and places are now its DocumentFile rows and its
# sessions and roundtables; its forum is required.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("programme_sessions", "0004_document_files_convert")]

    operations = [
        # With a default, the column can come back (when migrating backwards) over existing rows.
        migrations.AlterField(
            model_name="document",
            name="file",
            field=models.FileField(blank=True, default="", upload_to="documents/%Y/", verbose_name="file"),
        ),
        migrations.RemoveField(model_name="document", name="file"),
        migrations.RemoveField(model_name="document", name="language"),
        migrations.RemoveField(model_name="document", name="roundtable"),
        migrations.RemoveField(model_name="document", name="session"),
        migrations.AlterField(
            model_name="document",
            name="forum",
            field=models.ForeignKey(
                help_text="The forum the document belongs to; its sessions and roundtables are chosen from this forum.",
                on_delete=django.db.models.deletion.CASCADE,
                related_name="documents",
                to="roundtables.forum",
                verbose_name="forum",
            ),
        ),
        migrations.AddConstraint(
            model_name="document",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        [
                            "concept_note",
                            "action_paper",
                            "background_paper",
                            "rapporteur_report",
                            "outcome_document",
                            "report",
                            "contribution",
                            "other",
                        ],
                    )
                ),
                name="document_kind_known",
            ),
        ),
    ]
