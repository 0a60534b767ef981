"""Sessions', issues', rooms', documents', organisations' and people's texts in English, French and
Spanish: a column per language.

django-modeltranslation adds ``title_en``, ``title_fr``, ``title_es``... beside each translated field
(sessions/translation.py). Today's texts are English: they are copied into the ``_en`` columns, which
the pages read from now on (and back into the original columns when this migration is reversed). Each
new column has its field's length limit, ``<model>_<field>_<language>_length``; rooms' names are unique
in their forum in each language.

On SQLite, adding a check constraint rebuilds the table, and a rebuild drops the table's triggers: the
issue depth guard of 0007 is created again after the issue table's last rebuild, in both directions.
"""

import importlib

import core.text
import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

APP = "programme_sessions"
TRANSLATED = {
    "session": ("title", "background"),
    "issue": ("text",),
    "room": ("name",),
    "document": ("title", "description"),
    "organisation": ("name",),
    "person": ("position", "biography"),
}
depth_guard = importlib.import_module("sessions.migrations.0007_issue_depth_guard")


def _copy(fields, to_english):
    def copy(apps, schema_editor):
        for model_name, names in fields.items():
            model = apps.get_model(APP, model_name)
            if to_english:
                values = {f"{name}_en": F(name) for name in names}
            else:  # the original columns are NOT NULL: a cleared English text is ""
                values = {name: Coalesce(f"{name}_en", Value("")) for name in names}
            model.objects.update(**values)

    return copy


def _issue_depth_guard_again(apps, schema_editor):
    """The SQLite triggers of 0007, created again (a PostgreSQL trigger survives ``ALTER TABLE``)."""
    if schema_editor.connection.vendor != "sqlite":
        return
    for sql in depth_guard.SQLITE_REVERSE:
        schema_editor.execute(sql.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS"), params=None)
    for sql in depth_guard.SQLITE:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('programme_sessions', '0007_issue_depth_guard'),
        ('roundtables', '0007_translated_texts'),
    ]

    operations = [
        # Reversed last: the removed constraints' rebuilds dropped the triggers again.
        migrations.RunPython(migrations.RunPython.noop, _issue_depth_guard_again),
        migrations.AddField(
            model_name='document',
            name='description_en',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='document',
            name='description_es',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='document',
            name='description_fr',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='document',
            name='title_en',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='document',
            name='title_es',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='document',
            name='title_fr',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='issue',
            name='text_en',
            field=models.TextField(help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(3000), core.text.validate_markdown], verbose_name='text'),
        ),
        migrations.AddField(
            model_name='issue',
            name='text_es',
            field=models.TextField(help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(3000), core.text.validate_markdown], verbose_name='text'),
        ),
        migrations.AddField(
            model_name='issue',
            name='text_fr',
            field=models.TextField(help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(3000), core.text.validate_markdown], verbose_name='text'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='name_en',
            field=models.CharField(max_length=200, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='name_es',
            field=models.CharField(max_length=200, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='organisation',
            name='name_fr',
            field=models.CharField(max_length=200, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='person',
            name='biography_en',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(5000), core.text.validate_markdown], verbose_name='biography'),
        ),
        migrations.AddField(
            model_name='person',
            name='biography_es',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(5000), core.text.validate_markdown], verbose_name='biography'),
        ),
        migrations.AddField(
            model_name='person',
            name='biography_fr',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(5000), core.text.validate_markdown], verbose_name='biography'),
        ),
        migrations.AddField(
            model_name='person',
            name='position_en',
            field=models.CharField(blank=True, help_text='Job title.', max_length=200, null=True, verbose_name='position'),
        ),
        migrations.AddField(
            model_name='person',
            name='position_es',
            field=models.CharField(blank=True, help_text='Job title.', max_length=200, null=True, verbose_name='position'),
        ),
        migrations.AddField(
            model_name='person',
            name='position_fr',
            field=models.CharField(blank=True, help_text='Job title.', max_length=200, null=True, verbose_name='position'),
        ),
        migrations.AddField(
            model_name='room',
            name='name_en',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='room',
            name='name_es',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='room',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='session',
            name='background_en',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(20000), core.text.validate_markdown], verbose_name='background'),
        ),
        migrations.AddField(
            model_name='session',
            name='background_es',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(20000), core.text.validate_markdown], verbose_name='background'),
        ),
        migrations.AddField(
            model_name='session',
            name='background_fr',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(20000), core.text.validate_markdown], verbose_name='background'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_en',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_es',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='session',
            name='title_fr',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.RunPython(_copy(TRANSLATED, to_english=True), _copy(TRANSLATED, to_english=False)),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title_en'), 300), name='document_title_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title_fr'), 300), name='document_title_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title_es'), 300), name='document_title_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description_en'), 2000), name='document_description_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description_fr'), 2000), name='document_description_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='document',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description_es'), 2000), name='document_description_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='issue',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('text_en'), 3000), name='issue_text_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='issue',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('text_fr'), 3000), name='issue_text_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='issue',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('text_es'), 3000), name='issue_text_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='organisation',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_en'), 200), name='organisation_name_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='organisation',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_fr'), 200), name='organisation_name_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='organisation',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_es'), 200), name='organisation_name_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('position_en'), 200), name='person_position_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('position_fr'), 200), name='person_position_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('position_es'), 200), name='person_position_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('biography_en'), 5000), name='person_biography_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('biography_fr'), 5000), name='person_biography_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('biography_es'), 5000), name='person_biography_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_en'), 100), name='room_name_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_fr'), 100), name='room_name_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_es'), 100), name='room_name_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.UniqueConstraint(fields=('forum', 'name_en'), name='room_name_unique_in_forum-en'),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.UniqueConstraint(fields=('forum', 'name_fr'), name='room_name_unique_in_forum-fr'),
        ),
        migrations.AddConstraint(
            model_name='room',
            constraint=models.UniqueConstraint(fields=('forum', 'name_es'), name='room_name_unique_in_forum-es'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title_en'), 300), name='session_title_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title_fr'), 300), name='session_title_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title_es'), 300), name='session_title_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('background_en'), 20000), name='session_background_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('background_fr'), 20000), name='session_background_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='session',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('background_es'), 20000), name='session_background_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.RunPython(_issue_depth_guard_again, migrations.RunPython.noop),
    ]
