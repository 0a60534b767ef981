"""Writes that touch several rows of the programme."""

from django.db import transaction

from .models import Issue


@transaction.atomic
def issue_set_points(*, issue, texts):
    """Make the sub-points of ``issue`` exactly ``texts``, in order, keeping existing rows where possible."""
    texts = [" ".join(text.split()) for text in texts]
    texts = [text for text in texts if text]
    existing = list(issue.points.order_by("position", "id"))
    for position, text in enumerate(texts, start=1):
        if position <= len(existing):
            point = existing[position - 1]
            if point.text != text or point.position != position:
                point.text = text
                point.position = position
                point.save(update_fields=["text", "position"])
        else:
            Issue.objects.create(
                session_id=issue.session_id, parent=issue, kind=Issue.Kind.POINT, text=text, position=position
            )
    for point in existing[len(texts) :]:
        point.delete()
