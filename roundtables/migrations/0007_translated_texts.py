"""Forums', themes' and roundtables' texts in English, French and Spanish: a column per language.

django-modeltranslation adds ``name_en``, ``name_fr``, ``name_es``... beside each translated field
(roundtables/translation.py). Today's texts are English: they are copied into the ``_en`` columns, which
the pages read from now on (and back into the original columns when this migration is reversed). Each
new column has its field's length limit, ``<model>_<field>_<language>_length``.
"""

import core.text
import django.core.validators
import django.db.models.functions.text
import django.db.models.lookups
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Value
from django.db.models.functions import Coalesce

APP = "roundtables"
TRANSLATED = {
    "forum": ("name", "city", "country", "venue", "description"),
    "theme": ("name", "description"),
    "roundtable": ("title", "background"),
}


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


class Migration(migrations.Migration):

    dependencies = [
        ('roundtables', '0006_forum_venue'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='forum',
            name='city_en',
            field=models.CharField(max_length=100, null=True, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='forum',
            name='city_es',
            field=models.CharField(max_length=100, null=True, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='forum',
            name='city_fr',
            field=models.CharField(max_length=100, null=True, verbose_name='city'),
        ),
        migrations.AddField(
            model_name='forum',
            name='country_en',
            field=models.CharField(max_length=100, null=True, verbose_name='country'),
        ),
        migrations.AddField(
            model_name='forum',
            name='country_es',
            field=models.CharField(max_length=100, null=True, verbose_name='country'),
        ),
        migrations.AddField(
            model_name='forum',
            name='country_fr',
            field=models.CharField(max_length=100, null=True, verbose_name='country'),
        ),
        migrations.AddField(
            model_name='forum',
            name='description_en',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(5000), core.text.validate_markdown], verbose_name='short description'),
        ),
        migrations.AddField(
            model_name='forum',
            name='description_es',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(5000), core.text.validate_markdown], verbose_name='short description'),
        ),
        migrations.AddField(
            model_name='forum',
            name='description_fr',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(5000), core.text.validate_markdown], verbose_name='short description'),
        ),
        migrations.AddField(
            model_name='forum',
            name='name_en',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='forum',
            name='name_es',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='forum',
            name='name_fr',
            field=models.CharField(max_length=200, null=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='forum',
            name='venue_en',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='venue'),
        ),
        migrations.AddField(
            model_name='forum',
            name='venue_es',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='venue'),
        ),
        migrations.AddField(
            model_name='forum',
            name='venue_fr',
            field=models.CharField(blank=True, max_length=200, null=True, verbose_name='venue'),
        ),
        migrations.AddField(
            model_name='roundtable',
            name='background_en',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(20000), core.text.validate_markdown], verbose_name='background'),
        ),
        migrations.AddField(
            model_name='roundtable',
            name='background_es',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(20000), core.text.validate_markdown], verbose_name='background'),
        ),
        migrations.AddField(
            model_name='roundtable',
            name='background_fr',
            field=models.TextField(blank=True, help_text='Markdown.', null=True, validators=[django.core.validators.MaxLengthValidator(20000), core.text.validate_markdown], verbose_name='background'),
        ),
        migrations.AddField(
            model_name='roundtable',
            name='title_en',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='roundtable',
            name='title_es',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='roundtable',
            name='title_fr',
            field=models.CharField(max_length=300, null=True, verbose_name='title'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_en',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_es',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='theme',
            name='description_fr',
            field=models.TextField(blank=True, null=True, validators=[django.core.validators.MaxLengthValidator(2000)], verbose_name='description'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_en',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_es',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.AddField(
            model_name='theme',
            name='name_fr',
            field=models.CharField(max_length=100, null=True, unique=True, verbose_name='name'),
        ),
        migrations.RunPython(_copy(TRANSLATED, to_english=True), _copy(TRANSLATED, to_english=False)),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_en'), 200), name='forum_name_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_fr'), 200), name='forum_name_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_es'), 200), name='forum_name_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('city_en'), 100), name='forum_city_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('city_fr'), 100), name='forum_city_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('city_es'), 100), name='forum_city_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('country_en'), 100), name='forum_country_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('country_fr'), 100), name='forum_country_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('country_es'), 100), name='forum_country_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('venue_en'), 200), name='forum_venue_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('venue_fr'), 200), name='forum_venue_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('venue_es'), 200), name='forum_venue_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description_en'), 5000), name='forum_description_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description_fr'), 5000), name='forum_description_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='forum',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description_es'), 5000), name='forum_description_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='roundtable',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title_en'), 300), name='roundtable_title_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='roundtable',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title_fr'), 300), name='roundtable_title_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='roundtable',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('title_es'), 300), name='roundtable_title_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='roundtable',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('background_en'), 20000), name='roundtable_background_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='roundtable',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('background_fr'), 20000), name='roundtable_background_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='roundtable',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('background_es'), 20000), name='roundtable_background_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='theme',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_en'), 100), name='theme_name_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='theme',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_fr'), 100), name='theme_name_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='theme',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('name_es'), 100), name='theme_name_es_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='theme',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description_en'), 2000), name='theme_description_en_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='theme',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description_fr'), 2000), name='theme_description_fr_length', violation_error_message='This text is too long.'),
        ),
        migrations.AddConstraint(
            model_name='theme',
            constraint=models.CheckConstraint(condition=django.db.models.lookups.LessThanOrEqual(django.db.models.functions.text.Length('description_es'), 2000), name='theme_description_es_length', violation_error_message='This text is too long.'),
        ),
    ]
