"""How a session's content is laid out for people to read, the same on its page and in the PDFs.

Issues are stored in one list ordered by position, whatever their kind, and people in one list
ordered by position, whatever their role. Readers see them grouped: every main issue under one
"Main issues" heading, then the proposed themes, then the discussion questions; every chair, then
the moderators, rapporteurs, speakers and resource persons. Grouping runs of equal neighbours
instead (``{% regroup %}``) shows a heading twice when kinds alternate.

The functions work on what the selectors already fetched (``top_issues`` with their points,
participations with their people), so they never query. Headings and role names come out in the
active language.
"""

from operator import attrgetter

from django.utils.translation import gettext_lazy as _

from .models import Issue, Participation

ISSUE_HEADINGS = {
    Issue.Kind.MAIN_ISSUE: _("Main issues"),
    Issue.Kind.PROPOSED_THEME: _("Proposed themes"),
    Issue.Kind.QUESTION: _("Discussion questions"),
}
ROLE_ORDER = Participation.Role.values


def _groups(items, key, order):
    """[(key, items)] for each key present: the keys of ``order`` first, in that order, then any
    other in order of appearance; the items of each group in the order given."""
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    keys = [value for value in order if value in groups] + [value for value in groups if value not in order]
    return [(value, groups[value]) for value in keys]


def issues_by_kind(issues):
    """[(kind, issues)] of a session's top-level issues, in heading order; the kinds as stored.

    For callers that name the kinds themselves (a calendar file looks its words up once)."""
    return _groups(issues, attrgetter("kind"), list(ISSUE_HEADINGS))


def participations_by_role(participations):
    """[(role, participations)] of a session's people, chairs first (``ROLE_ORDER``); the roles as stored."""
    return _groups(participations, attrgetter("role"), ROLE_ORDER)


def issue_groups(issues):
    """[(heading, issues)] of a session's top-level issues: main issues, proposed themes, discussion questions."""
    names = dict(Issue.Kind.choices)
    return [(str(ISSUE_HEADINGS.get(kind) or names.get(kind, kind)), group) for kind, group in issues_by_kind(issues)]


def people_by_role(participations):
    """[(role name, participations)] of a session's people, chairs first (``ROLE_ORDER``)."""
    names = dict(Participation.Role.choices)
    return [(str(names.get(role, role)), group) for role, group in participations_by_role(participations)]
