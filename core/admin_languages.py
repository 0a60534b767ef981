"""The programme's texts in English, French and Spanish on the admin's forms and inlines.

A translated field (see core.translated) shows as its three columns side by side, each labelled with
its language ("title [en]", "title [fr]", "title [es]"), in place of the field itself, which never shows
twice. English is required where the field is; French and Spanish are optional. Plain HTML inputs: no
script is needed, and none is loaded (the CSP allows scripts from the portal's own static files only).

Forms are saved with English active: a text column's original column then keeps the English text, as
core.translated describes. Models without translated fields get the admin's usual forms.
"""

from django.utils import translation
from django.utils.translation import override
from modeltranslation.admin import TranslationAdmin, TranslationBaseModelAdmin, TranslationInlineModelAdmin
from modeltranslation.translator import NotRegistered, TranslationOptions, translator

from core.translated import SOURCE_LANGUAGE
from core.versions import translation_label


def _options(model):
    """The translation options of ``model``; empty ones (no translated field) when it has none."""
    try:
        return translator.get_options_for_model(model)
    except NotRegistered:
        return TranslationOptions(model)


class _LanguageColumns(TranslationBaseModelAdmin):
    def __init__(self, *args, **kwargs):
        super(TranslationBaseModelAdmin, self).__init__(*args, **kwargs)  # theirs refuses an untranslated model
        self.trans_opts = _options(self.model)
        self.has_translated_fields = bool(self.trans_opts.all_fields)
        self._patch_prepopulated_fields()


class LanguageColumnsAdminMixin(_LanguageColumns, TranslationAdmin):
    """An admin page whose translated fields show in each language (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.has_translated_fields:
            self._patch_list_editable()

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self.has_translated_fields:
            return super().get_form(request, obj, change=change, **kwargs)
        return super(TranslationAdmin, self).get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if self.has_translated_fields:
            return super().get_fieldsets(request, obj)
        return super(TranslationAdmin, self).get_fieldsets(request, obj)

    def construct_change_message(self, request, form, formsets, add=False):
        """The change message (and so the history's comment) names a translated text's columns as the history
        does: "Changed Title." for the English title, "Changed Title (French)." for the French one."""
        message = super().construct_change_message(request, form, formsets, add)
        readable = {}
        with translation.override(None):  # stored untranslated, like the admin's own labels
            for each in [form, *(inline for formset in formsets for inline in formset.forms)]:
                model = each._meta.model
                for name, field in each.fields.items():
                    label = translation_label(model, name)
                    if label is not None and field.label:
                        readable[str(field.label)] = label
        for entry in message:
            for part in entry.values():
                if "fields" in part:
                    part["fields"] = [readable.get(label, label) for label in part["fields"]]
        return message

    def save_model(self, request, obj, form, change):
        with override(SOURCE_LANGUAGE):
            super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        with override(SOURCE_LANGUAGE):
            super().save_formset(request, form, formset, change)


class LanguageColumnsInlineMixin(_LanguageColumns, TranslationInlineModelAdmin):
    """An inline whose translated fields show in each language, side by side in its row."""

    def get_formset(self, request, obj=None, **kwargs):
        if self.has_translated_fields:
            return super().get_formset(request, obj, **kwargs)
        return super(TranslationInlineModelAdmin, self).get_formset(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if self.has_translated_fields:
            return super().get_fieldsets(request, obj)
        return super(TranslationInlineModelAdmin, self).get_fieldsets(request, obj)
