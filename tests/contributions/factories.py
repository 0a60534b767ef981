"""make_* helpers for contributions; pass overrides as keywords."""

import io
import itertools

from django.utils import timezone
from pypdf import PdfWriter

from contributions.models import Contribution, GoodPractice
from tests.factories import make_forum

_counter = itertools.count(1)


def pdf_bytes():
    """A small, real PDF document."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def make_contribution(*, practices=1, themes=(), **overrides):
    n = next(_counter)
    values = {
        "title": f"Contribution {n}",
        "slug": f"contribution-{n}",
        "organisation_name": f"Organisation {n}",
        "organisation_kind": Contribution.Kind.NGO,
        "country": "Greece",
        "contact_name": "Contact person",
        "contact_email": f"contact{n}@example.org",
        "summary": "What the organisation does.",
        "language": "en",
        "status": Contribution.Status.APPROVED,
    }
    values.update(overrides)
    if values.get("forum") is None:
        values["forum"] = make_forum()
    if values["status"] != Contribution.Status.PENDING:
        values.setdefault("reviewed_at", timezone.now())
    if values["status"] == Contribution.Status.REJECTED:
        values.setdefault("rejection_reason", "Out of scope.")
    contribution = Contribution.objects.create(**values)
    if themes:
        contribution.themes.set(themes)
    for position in range(1, practices + 1):
        make_practice(contribution=contribution, position=position)
    return contribution


def make_practice(**overrides):
    values = {
        "country": "Moldova",
        "actors": "Local authorities",
        "description": "What was done.",
        "lesson": "What was learned.",
        "position": 1,
    }
    values.update(overrides)
    return GoodPractice.objects.create(**values)
