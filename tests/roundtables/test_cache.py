import pytest

from roundtables.cache import programme_version
from tests.factories import make_issue, make_session, make_theme


@pytest.mark.django_db
def test_programme_version_goes_up_on_save_delete_and_theme_tagging():
    session = make_session()
    versions = [programme_version()]

    session.title = "Renamed"
    session.save()
    versions.append(programme_version())
    session.themes.add(make_theme())
    versions.append(programme_version())
    make_issue(session=session).delete()
    versions.append(programme_version())

    assert versions == sorted(versions)
    assert len(set(versions)) == 4
