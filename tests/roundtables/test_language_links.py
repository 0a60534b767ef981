"""The language links of every page (``language_versions``) and the header's fixed addresses (``site_url``)."""

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory, override_settings
from django.urls import Resolver404, get_script_prefix, path, resolve, reverse, set_script_prefix, translate_url
from django.utils import translation
from django.utils.functional import lazy

from core.site_urls import site_url
from roundtables.templatetags import portal
from tests.factories import make_programme


def _page(request):
    return HttpResponse("")


_ABOUT = {"en": "about/", "fr": "a-propos/", "es": "acerca/"}
# A route translated the way gettext_lazy translates one: its text depends on the active language.
_about_route = lazy(lambda: _ABOUT.get(translation.get_language(), "about/"), str)()

urlpatterns = i18n_patterns(
    path("", _page, name="home"),
    path(_about_route, _page, name="about"),
    path("people/<slug:slug>/", _page, name="person"),
)

# The same routes, without a prefix for the default language.
unprefixed_default = i18n_patterns(path("people/<slug:slug>/", _page, name="person"), prefix_default_language=False)


def _versions(address, language):
    """``language_versions`` of the page at ``address`` shown in ``language``."""
    with translation.override(language):
        request = RequestFactory().get(address)
        try:
            request.resolver_match = resolve(request.path_info)
        except Resolver404:
            request.resolver_match = None
        return portal.language_versions(Context({"request": request}))


@pytest.fixture
def pages(db):
    forum = make_programme(roundtables=1, sessions_per_roundtable=1)
    roundtable = forum.roundtables.get()
    session = roundtable.sessions.get()
    return [
        forum.get_absolute_url(),
        reverse("roundtables:programme", kwargs={"forum": forum.slug}),
        roundtable.get_absolute_url(),
        session.get_absolute_url(),
        session.participations.first().person.get_absolute_url(),
        session.themes.first().get_absolute_url(),
        reverse("roundtables:search") + "?q=work+%C3%A9t%C3%A9&page=2",
        reverse("roundtables:forum-list"),
    ]


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_each_language_version_is_the_address_django_translates_the_page_to(pages, language):
    for address in pages:
        address = f"/{language}/" + address.removeprefix("/en/")  # the page as shown in ``language``

        versions = _versions(address, language)

        with translation.override(language):  # translate_url resolves the address in the active language
            expected = [translate_url(address, code) for code in ("en", "fr", "es")]
        assert [version["url"] for version in versions.all] == expected, address
        assert expected[1] == f"/fr/{address[4:]}", address
        assert versions.x_default == "http://testserver" + expected[0].removeprefix("/en"), address


@override_settings(ROOT_URLCONF=__name__)
def test_a_translated_route_is_reversed_in_each_language_not_given_the_other_prefix():
    portal._prefix_only_differs.cache_clear()

    versions = _versions("/fr/a-propos/", "fr")

    assert [version["url"] for version in versions.all] == ["/en/about/", "/fr/a-propos/", "/es/acerca/"]
    assert versions.x_default == "http://testserver/about/"
    assert portal._prefix_only_differs(__name__) is False


def test_addresses_differ_only_by_their_prefix_in_the_portal_and_not_without_a_default_prefix():
    class Unprefixed:
        urlpatterns = unprefixed_default

    assert portal._prefix_only_differs("gfmd_portal.urls") is True
    assert portal._prefix_only_differs(Unprefixed) is False


def test_an_unknown_page_leads_to_each_language_home_page(db):
    versions = _versions("/fr/no-such-page/?q=1", "fr")

    assert [(version["url"], version["is_translation"]) for version in versions.all] == [
        ("/en/", False),
        ("/fr/no-such-page/?q=1", True),
        ("/es/", False),
    ]
    assert versions.x_default == ""


def test_site_url_is_the_address_url_gives_in_the_active_language():
    template = Template("{% load portal %}{% site_url 'roundtables:theme-list' %} {% site_url 'favicon' %}")

    rendered = {}
    for language in ("en", "fr", "es", "en"):
        with translation.override(language):
            rendered[language] = template.render(Context())
            assert rendered[language] == f"{reverse('roundtables:theme-list')} {reverse('favicon')}"

    assert rendered == {
        "en": "/en/themes/ /favicon.ico",
        "fr": "/fr/themes/ /favicon.ico",
        "es": "/es/themes/ /favicon.ico",
    }


def test_site_url_follows_the_script_prefix():
    previous = get_script_prefix()
    try:
        with translation.override("fr"):
            assert site_url("roundtables:theme-list") == "/fr/themes/"
            set_script_prefix("/portal/")
            assert site_url("roundtables:theme-list") == "/portal/fr/themes/"
    finally:
        set_script_prefix(previous)
