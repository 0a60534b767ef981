"""The files browsers and crawlers ask for at the root of the site: /favicon.ico and /robots.txt."""

import pytest
from PIL import Image


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_favicon_is_an_icon(client):
    import io

    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    icon = Image.open(io.BytesIO(_body(response)))
    assert (icon.format, sorted(icon.info["sizes"])) == ("ICO", [(16, 16), (32, 32), (48, 48)])
    assert "max-age=86400" in response["Cache-Control"]


def test_favicon_answers_head_and_refuses_post(client):
    assert client.head("/favicon.ico").status_code == 200
    assert client.post("/favicon.ico").status_code == 405


@pytest.mark.django_db
def test_pages_name_their_icons(client):
    html = client.get("/en/forums/").content.decode()

    assert '<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/favicon.ico" sizes="48x48">' in html


def test_robots_txt_allows_everything_and_gives_the_sitemap(client):
    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode() == "User-agent: *\nAllow: /\n\nSitemap: http://testserver/sitemap.xml\n"


def test_robots_txt_names_the_host_asked_for(client, settings):
    settings.ALLOWED_HOSTS = ["portal.example.org"]

    response = client.get("/robots.txt", headers={"host": "portal.example.org"}, secure=True)

    assert response.content.decode().endswith("Sitemap: https://portal.example.org/sitemap.xml\n")
