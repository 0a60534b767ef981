"""The texts of sessions, issues, rooms, people, organisations and documents that the committee writes
in English and may translate into French and Spanish: one column per language (see core/translated.py).
An issue's sub-points are issues too, so ``Issue.text`` covers them."""

from modeltranslation.translator import register

from roundtables.translation import ProgrammeTextOptions

from .models import Document, Issue, Organisation, Person, Room, Session


@register(Session)
class SessionTranslation(ProgrammeTextOptions):
    fields = ("title", "background")


@register(Issue)
class IssueTranslation(ProgrammeTextOptions):
    fields = ("text",)


@register(Room)
class RoomTranslation(ProgrammeTextOptions):
    fields = ("name",)


@register(Document)
class DocumentTranslation(ProgrammeTextOptions):
    fields = ("title", "description")


@register(Organisation)
class OrganisationTranslation(ProgrammeTextOptions):
    fields = ("name",)


# A person's name is their own; their job title and biography are translated.
@register(Person)
class PersonTranslation(ProgrammeTextOptions):
    fields = ("position", "biography")
