"""What a programme PDF shows (``sessions.pdf.content``): the sessions it reads, their people and issues,
and no draft in a public PDF."""

import pytest

from roundtables.models import Status
from sessions.models import Participation, Session
from sessions.pdf import content, render
from tests.factories import make_participation


def test_roles_are_listed_in_a_fixed_order(athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    make_participation(session=session, role=Participation.Role.SPEAKER)
    make_participation(session=session, role=Participation.Role.CHAIR)
    make_participation(session=session, role=Participation.Role.RAPPORTEUR)

    [loaded] = content._sessions(content.export_for(content.SESSION, session, language="en"), athens)

    assert [role for role, _ in loaded.people_by_role] == ["Chair", "Rapporteur", "Speaker"]


def test_public_render_of_draft_content_is_refused(athens):
    session = Session.objects.get(roundtable__forum=athens, roundtable__number=1, number=1)
    session.status = Status.DRAFT
    session.save()
    public_session = content.Export(kind=content.SESSION, obj=session, language="en")
    athens.status = Status.DRAFT
    public_booklet = content.Export(kind=content.BOOKLET, obj=athens, language="en")

    with pytest.raises(content.PdfUnavailable, match="draft session"):
        render.render_pdf(public_session)
    with pytest.raises(content.PdfUnavailable, match="draft forum"):
        render.render_pdf(public_booklet)
