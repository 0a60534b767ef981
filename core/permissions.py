"""Who may see and edit what: the committee's groups and the one preview rule.

The public sees published records only. Staff (the organising committee and roundtable
coordinators, logged in to the admin) preview drafts exactly as delegates will see them once
published. Each public queryset applies this through its ``visible_to(user)`` method
(``Forum``, ``Session``, ``Person``, ``Document``, ``Contribution``), and nothing else decides it.
"""

ORGANISING_COMMITTEE = "Organising committee"
ROUNDTABLE_COORDINATORS = "Roundtable coordinators"


def can_preview(user):
    """Staff see drafts exactly as delegates will once they are published."""
    return bool(user and user.is_authenticated and user.is_staff)


def edits_whole_programme(user):
    """Superusers and the organising committee edit every forum, roundtable and session."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.groups.filter(name=ORGANISING_COMMITTEE).exists()
