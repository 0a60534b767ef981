"""Writing the search index (``SearchEntry``): each record's words in each language, as its page shows them.

What is indexed, kind by kind (``SOURCES``): a title (shown, highlighted), a text (shown as an excerpt) and
other words (searched, never shown). Markdown is turned into plain text here, once, so a search never
renders Markdown. A record gets its English entry, and a French or Spanish one only where it has a text of
its own in that language; a field without a translation is then the English text, as the page shows it.

The index follows every saved or deleted record, in the same transaction (``index_watch``, connected in
``ProgrammeConfig.ready``): a rolled-back edit leaves no trace in it, and a committed one is searchable at
once. Writes that send no signals (``bulk_create``, ``update()``) rebuild what they wrote:
``search_index_rebuild(forum=...)`` for a forum, ``manage.py rebuild_search_index`` for everything.

Drafts are indexed like the rest: who may see a record is decided when searching, by the kind's public
queryset, never stored here.
"""

import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete

from contributions.models import Contribution
from core.text import markdown_plain
from core.translated import CONTENT_LANGUAGES, SOURCE_LANGUAGE, has_text, translated_fields
from roundtables.models import Roundtable, Theme
from sessions.models import Document, Issue, Organisation, Person, Room, Session

from .models import SearchEntry

Kind = SearchEntry.Kind
_PRIVATE_USE = dict.fromkeys(range(0xE000, 0xF900))  # search marks matches with such characters: never stored
BATCH = 500


@dataclass(frozen=True)
class Source:
    """What a kind's entries hold: field paths (``organisation__name``) for the title, the text and the other
    words, and which of those fields are Markdown."""

    model: type
    title: str = ""
    text: str = ""
    other: tuple = ()
    markdown: frozenset = frozenset()
    related: tuple = ()  # select_related when indexing many

    @property
    def paths(self):
        return tuple(path for path in (self.title, self.text, *self.other) if path)


SOURCES = {
    Kind.SESSIONS: Source(Session, title="title", text="background", markdown=frozenset({"background"})),
    Kind.ISSUES: Source(Issue, text="text", markdown=frozenset({"text"})),
    Kind.ROUNDTABLES: Source(Roundtable, title="title", text="background", markdown=frozenset({"background"})),
    Kind.THEMES: Source(Theme, title="name", text="description"),
    Kind.PEOPLE: Source(
        Person,
        title="name",
        text="organisation__name",
        other=("position", "biography"),
        markdown=frozenset({"biography"}),
        related=("organisation",),
    ),
    Kind.DOCUMENTS: Source(Document, title="title", text="description"),
    Kind.CONTRIBUTIONS: Source(
        Contribution, title="title", text="summary", other=("organisation_name", "recommendations")
    ),
    Kind.ROOMS: Source(Room, title="name"),
}
KIND_OF_MODEL = {source.model: kind for kind, source in SOURCES.items()}


def _owner(instance, path):
    """The record holding the last field of ``path``, and that field's name (None when a link is empty)."""
    *links, field = path.split("__")
    for link in links:
        instance = getattr(instance, link, None)
        if instance is None:
            return None, field
    return instance, field


def field_text(instance, path, language, *, is_markdown=False):
    """(plain text, its language) of ``path`` on ``instance`` as the page in ``language`` shows it: the
    text of that language, else the English one ("en"); a field not translated (a person's name) is in no
    language (""). Markdown becomes plain text."""
    owner, field = _owner(instance, path)
    if owner is None:
        return "", ""
    if field in translated_fields(owner):
        shown = language if has_text(owner, field, language) else SOURCE_LANGUAGE
        value = getattr(owner, f"{field}_{shown}") or ""
    else:
        shown, value = "", str(getattr(owner, field, "") or "")
    text = markdown_plain(value) if is_markdown else " ".join(value.split())
    return text.translate(_PRIVATE_USE), (shown if text else "")


def has_own_text(source, instance, language):
    """Whether ``instance`` has a text of its own in ``language`` among what its entries hold."""
    for path in source.paths:
        owner, field = _owner(instance, path)
        if owner is not None and field in translated_fields(owner) and has_text(owner, field, language):
            return True
    return False


def entries_for(kind, instance):
    """The unsaved entries of ``instance``: English, and each other language it has a text of its own in."""
    source = SOURCES[kind]
    entries = []
    for language in CONTENT_LANGUAGES:
        if language != SOURCE_LANGUAGE and not has_own_text(source, instance, language):
            continue
        values = {}
        for part in ("title", "text"):
            path = getattr(source, part)
            text, shown = (
                field_text(instance, path, language, is_markdown=path in source.markdown) if path else ("", "")
            )
            values[part], values[f"{part}_language"] = text, shown
        other = (field_text(instance, path, language, is_markdown=path in source.markdown)[0] for path in source.other)
        entries.append(
            SearchEntry(
                kind=kind, object_id=instance.pk, language=language, other=" ".join(filter(None, other)), **values
            )
        )
    return entries


def index_records(kind, records):
    """Write the entries of ``records`` (all of ``kind``) anew; returns how many entries were written."""
    records = list(records)
    if not records:
        return 0
    SearchEntry.objects.filter(kind=kind, object_id__in=[record.pk for record in records]).delete()
    entries = [entry for record in records for entry in entries_for(kind, record)]
    SearchEntry.objects.bulk_create(entries, batch_size=BATCH)
    return len(entries)


def index_forget(kind, ids):
    SearchEntry.objects.filter(kind=kind, object_id__in=list(ids)).delete()


def _records(kind, queryset):
    source = SOURCES[kind]
    return queryset.select_related(*source.related).order_by("pk") if source.related else queryset.order_by("pk")


def _forum_querysets(forum):
    sessions = Session.objects.filter(roundtable__forum=forum)
    return {
        Kind.SESSIONS: sessions,
        Kind.ISSUES: Issue.objects.filter(session__roundtable__forum=forum),
        Kind.ROUNDTABLES: Roundtable.objects.filter(forum=forum),
        Kind.THEMES: Theme.objects.filter(sessions__in=sessions).distinct(),
        Kind.PEOPLE: Person.objects.filter(participations__session__in=sessions).distinct(),
        Kind.DOCUMENTS: Document.objects.filter(forum=forum),
        Kind.CONTRIBUTIONS: Contribution.objects.filter(forum=forum),
        Kind.ROOMS: Room.objects.filter(forum=forum),
    }


@transaction.atomic
def search_index_rebuild(*, forum=None):
    """Write the index anew: every record's entries, or (``forum``) those of the forum's records, the people
    in its sessions and the themes of its sessions. Returns ``{kind: entries written}``."""
    if forum is None:
        SearchEntry.objects.all().delete()
        querysets = {kind: source.model.objects.all() for kind, source in SOURCES.items()}
    else:
        querysets = _forum_querysets(forum)
    written = {}
    for kind, queryset in querysets.items():
        written[kind] = 0
        batch = []
        for record in _records(kind, queryset).iterator(chunk_size=BATCH):
            batch.append(record)
            if len(batch) == BATCH:
                written[kind] += index_records(kind, batch)
                batch = []
        written[kind] += index_records(kind, batch)
    return written


def timed_rebuild(*, forum=None):
    """``search_index_rebuild`` with how long it took, in seconds: ``(written, seconds)``."""
    started = time.perf_counter()
    written = search_index_rebuild(forum=forum)
    return written, time.perf_counter() - started


# Following the records as they change.


def _on_save(sender, instance, raw=False, **kwargs):
    if raw:  # a fixture being loaded: its rows may point at rows not there yet; rebuild the index after it
        return
    index_records(KIND_OF_MODEL[sender], [instance])


def _on_delete(sender, instance, **kwargs):
    index_forget(KIND_OF_MODEL[sender], [instance.pk])


def _on_organisation_save(sender, instance, raw=False, **kwargs):
    """People show their organisation's name: a renamed organisation is searched under its new name."""
    if not raw:
        index_records(Kind.PEOPLE, instance.people.select_related("organisation"))


_LEAVING = "_search_people_leaving"


def _on_organisation_pre_delete(sender, instance, **kwargs):
    setattr(instance, _LEAVING, list(instance.people.values_list("pk", flat=True)))


def _on_organisation_delete(sender, instance, **kwargs):
    """Its people lose their organisation (set to none): their entries lose its name."""
    ids = getattr(instance, _LEAVING, [])
    if ids:
        index_records(Kind.PEOPLE, Person.objects.filter(pk__in=ids).select_related("organisation"))


def index_watch():
    """Follow saves and deletes of every indexed model, and the organisations people show."""
    for model in KIND_OF_MODEL:
        uid = f"search_index:{model._meta.label}"
        post_save.connect(_on_save, sender=model, dispatch_uid=f"{uid}:save")
        post_delete.connect(_on_delete, sender=model, dispatch_uid=f"{uid}:delete")
    uid = "search_index:organisation"
    post_save.connect(_on_organisation_save, sender=Organisation, dispatch_uid=f"{uid}:save")
    pre_delete.connect(_on_organisation_pre_delete, sender=Organisation, dispatch_uid=f"{uid}:pre_delete")
    post_delete.connect(_on_organisation_delete, sender=Organisation, dispatch_uid=f"{uid}:delete")
