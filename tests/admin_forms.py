"""What a browser posts from an admin page: the one builder of admin form data for every test that saves
through the admin.

Rather than restating the fields of a form, its inlines and their management forms in each test (and
updating every copy when the admin gains a field), the tests read them off the page the admin renders:
``admin_change_data(client, session, title="New title")`` is what an editor who opened the session and
retyped its title would send. The page is parsed by the browser's rules for a form's successful controls
(lxml, already among the test tools, knows them for selects), so every widget is covered as rendered:
date-times come as the two inputs of the split widget in the forum's time zone, as the page shows them.
"""

import re

import lxml.html
from django.urls import reverse

_NOT_SENT = {"submit", "button", "image", "reset", "file"}


def _controls(form):
    """(name, value) of each control a browser sends when the form is submitted untouched."""
    for element in form.inputs:
        name = element.name
        if not name or "__prefix__" in name or element.get("disabled") is not None:
            continue  # the inlines' template row, copied by the admin's script only when a row is added
        if element.tag == "textarea":
            value = element.value or ""
            yield name, value[1:] if value.startswith("\n") else value  # the newline after <textarea> is markup
        elif element.tag == "select":
            if element.multiple:
                yield from ((name, value) for value in element.value)
            elif element.value is not None:
                yield name, element.value
        elif element.type in {"checkbox", "radio"}:
            if element.checked:
                yield name, element.get("value", "on")
        elif element.type not in _NOT_SENT:
            yield name, element.value or ""


def _row_pattern(name):
    """``name`` with an inline row's number (or the template row's ``__prefix__``) taken out."""
    return re.sub(r"-(\d+|__prefix__)-", "-#-", name)


def admin_form_data(response, **fields):
    """What the admin add or change form of ``response`` posts as rendered: its fields (the edit token
    included), each inline's rows and management form (``<prefix>-TOTAL_FORMS``, ``-INITIAL_FORMS``, …);
    then ``fields`` replace values by name (a list for several values, None leaves the field out). A translated
    text shows as one field per language (``title_en``, ``title_fr``, ``title_es``): ``title=`` sets the English
    one, ``title_fr=`` the French one."""
    assert response.status_code == 200, response.status_code
    form_id = f"{response.context['opts'].model_name}_form"
    [form] = [form for form in lxml.html.fromstring(response.content).forms if form.get("id") == form_id]
    data = {}
    for name, value in _controls(form):
        if name in data:
            data[name] = [*data[name], value] if isinstance(data[name], list) else [data[name], value]
        else:
            data[name] = value
    translated = {_row_pattern(element.name) for element in form.inputs if (element.name or "").endswith("_en")}
    return _typed(data, translated, fields)


def _typed(data, translated, fields):
    """``data`` with ``fields`` typed in: a translated text's name without a language (``title``, an inline
    row's ``issues-1-text``) is its English field, whose row pattern is in ``translated``."""
    data = dict(data)
    for name, value in fields.items():
        if name not in data and _row_pattern(f"{name}_en") in translated:
            name = f"{name}_en"  # a translated text: "title" is typed in English, into "title_en"
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def retyped(data, **fields):
    """``data`` (from ``admin_form_data``, kept from a page opened earlier) with ``fields`` typed in, by the
    same names: ``retyped(opened, title="New title")`` sets ``title_en``."""
    return _typed(data, {_row_pattern(name) for name in data if name.endswith("_en")}, fields)


def english(name):
    """The name of the English field of a translated text in a form's errors and values: ``title_en``."""
    return f"{name}_en"


def change_form_data(response, zone=None, **fields):
    """``admin_form_data`` under the name some tests use; ``zone`` is not needed (the page already shows
    date-times in the forum's time zone) and is ignored."""
    return admin_form_data(response, **fields)


def admin_url(model_or_obj, page="change"):
    opts = model_or_obj._meta
    args = [model_or_obj.pk] if page == "change" else []
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{page}", args=args)


def admin_change_data(client, obj, **fields):
    """``admin_form_data`` of ``obj``'s change page as ``client`` sees it."""
    return admin_form_data(client.get(admin_url(obj)), **fields)


def admin_add_data(client, model, **fields):
    """``admin_form_data`` of ``model``'s add page as ``client`` sees it."""
    return admin_form_data(client.get(admin_url(model, "add")), **fields)
