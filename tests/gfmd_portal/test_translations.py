"""The interface in French and Spanish: complete catalogues, compiled catalogues that match them, and real
pages that show the translations instead of the English interface.

The .po files are read by the small parser below (no dependency); the committed .mo files are read back with
Python's gettext, so the check needs no gettext tools.
"""

import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory
from django.urls import get_resolver
from django.utils import translation

from sessions.forms import PositionInput
from sessions.models import Session

LANGUAGES = ["fr", "es"]
NBSP = "\u00a0"


# Catalogues -------------------------------------------------------------------------------------


def _unquote(text):
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda match: escapes[match.group(1)], text[1:-1])


def po_entries(path):
    """The entries of a .po file as dicts: msgctxt, msgid, msgid_plural, msgstr ({index or None: text}), flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry = {"msgctxt": None, "msgid": None, "msgid_plural": None, "msgstr": {}, "flags": set(), "obsolete": False}
        key = None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry["obsolete"] = True
            elif line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.match(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (".*")$', line):
                keyword, index, value = match.groups()
                key = ("msgstr", int(index) if index is not None else None) if keyword == "msgstr" else (keyword,)
                if keyword == "msgstr":
                    entry["msgstr"][key[1]] = _unquote(value)
                else:
                    entry[keyword] = _unquote(value)
            elif line.startswith('"'):
                if key[0] == "msgstr":
                    entry["msgstr"][key[1]] += _unquote(line)
                else:
                    entry[key[0]] += _unquote(line)
        if entry["msgid"] is not None and not entry["obsolete"]:
            entries.append(entry)
    return entries


def catalogue(language):
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


def messages(language):
    """The translated messages (header left out)."""
    return [entry for entry in po_entries(catalogue(language)) if entry["msgid"]]


def plural_count(language):
    header = next(entry for entry in po_entries(catalogue(language)) if entry["msgid"] == "")
    return int(re.search(r"nplurals\s*=\s*(\d+)", header["msgstr"][None])[1])


PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd]|\{\w+\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language):
    entries = messages(language)

    assert len(entries) > 400
    assert [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]] == []
    assert [entry["msgid"] for entry in entries if not all(entry["msgstr"].values())] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_plural_messages_have_every_plural_form_of_the_language(language):
    expected = list(range(plural_count(language)))

    wrong = [
        entry["msgid"] for entry in messages(language) if entry["msgid_plural"] and sorted(entry["msgstr"]) != expected
    ]

    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for entry in messages(language):
        sources = [entry["msgid"]] + ([entry["msgid_plural"]] if entry["msgid_plural"] else [])
        expected = {placeholder for source in sources for placeholder in PLACEHOLDER.findall(source)}
        for text in entry["msgstr"].values():
            # A singular form may leave out the count (a language may word it "une session"), never add one.
            found = set(PLACEHOLDER.findall(text))
            if not found <= expected or (found != expected and not entry["msgid_plural"]):
                wrong.append((entry["msgid"], text))

    assert wrong == []


def test_french_punctuation_has_non_breaking_spaces():
    wrong = [
        text
        for entry in messages("fr")
        for text in entry["msgstr"].values()
        if re.search(r" [:;?!»]|« ", text) or "'" in text or "“" in text
    ]

    assert wrong == []


def test_spanish_questions_and_quotations_are_spanish():
    texts = [text for entry in messages("es") for text in entry["msgstr"].values()]

    assert [text for text in texts if "?" in text and "¿" not in text] == []
    assert [text for text in texts if "“" in text or "”" in text] == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalogue_matches_the_po_file(language):
    """The .mo files are committed (so `make run` needs no gettext tools): they must hold what the .po holds."""
    with catalogue(language).with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)._catalog

    expected = {}
    for entry in messages(language):
        msgid = entry["msgid"] if entry["msgctxt"] is None else f"{entry['msgctxt']}\x04{entry['msgid']}"
        if entry["msgid_plural"]:
            expected.update({(msgid, index): text for index, text in entry["msgstr"].items()})
        else:
            expected[msgid] = entry["msgstr"][None]

    assert {key: value for key, value in compiled.items() if key != ""} == expected


# Pages ------------------------------------------------------------------------------------------

# The interface in English, as it appears in the markup; none of it may show on a French or Spanish page.
ENGLISH_INTERFACE = [
    ">Skip to main content<",
    ">Search the programme<",
    'placeholder="Sessions, people, documents…"',
    'aria-label="Language"',
    'aria-label="Main"',
    ">All forums<",
    ">Good practices<",
    ">Contribute<",
    ">My agenda<",
    ">Themes<",
    ">Search<",
    "Global Forum on Migration and Development: Civil Society Days.",
]

# Words every page shows in each language: the skip link, the search label and the language links.
PAGE_FRAME = {
    "en": [
        '<a class="skip-link" href="#main">Skip to main content</a>',
        '<label for="site-search-q" class="visually-hidden">Search the programme</label>',
        '<nav class="language-switcher" aria-label="Language">',
    ],
    "fr": [
        '<html lang="fr">',
        '<a class="skip-link" href="#main">Aller au contenu principal</a>',
        '<label for="site-search-q" class="visually-hidden">Rechercher dans le programme</label>',
        'placeholder="Sessions, personnes, textes…"',
        '<button type="submit">Rechercher</button>',
        '<nav class="language-switcher" aria-label="Langue">',
        '<nav class="site-nav" aria-label="Menu principal">',
        ">Bonnes pratiques</a>",
        ">Mon agenda</a>",
    ],
    "es": [
        '<html lang="es">',
        '<a class="skip-link" href="#main">Ir al contenido principal</a>',
        '<label for="site-search-q" class="visually-hidden">Buscar en el programa</label>',
        'placeholder="Sesiones, personas, textos…"',
        '<button type="submit">Buscar</button>',
        '<nav class="language-switcher" aria-label="Idioma">',
        '<nav class="site-nav" aria-label="Menú principal">',
        ">Buenas prácticas</a>",
        ">Mi agenda</a>",
    ],
}

PAGES = {
    "forum": (
        "/{lang}/forums/athens-2009/",
        {
            "en": ["Roundtable 1: How to make", ">Programme booklet (PDF)<", "2–3 November 2009"],
            "fr": [
                ">Programme</a>",
                f"Table ronde 1{NBSP}: Comment mettre le lien",
                ">Tables rondes</h2>",
                ">Livret du programme (PDF)<",
                ">Ajouter au calendrier<",
                "2–3 novembre 2009",
            ],
            "es": [
                ">Programa</a>",
                "Mesa redonda 1: Cómo lograr que el nexo",
                ">Mesas redondas</h2>",
                ">Folleto del programa (PDF)<",
                ">Añadir al calendario<",
                "2–3 de noviembre de 2009",
            ],
        },
        [">Roundtables</h2>", "Programme booklet (PDF)", "Add to calendar", "2–3 November 2009"],
    ),
    "programme": (
        "/{lang}/forums/athens-2009/programme/",
        {
            "en": [
                "<h1>Programme <small>",
                "All times are local time (Europe/Athens).",
                "Monday 2 November 2009",
            ],
            "fr": [
                "<h1>Programme <small>",
                f"<title>Programme{NBSP}: Journées de la société civile, Athènes 2009",
                "Toutes les heures sont en heure locale (Europe/Athens).",
                "8 sessions",
                ">Lundi 2 novembre<",
                ">Lundi 2 novembre 2009</h2>",
                'aria-label="Filtrer le programme"',
            ],
            "es": [
                "<h1>Programa <small>",
                "<title>Programa: Jornadas de la Sociedad Civil, Atenas 2009",
                "Todas las horas son hora local (Europe/Athens).",
                "8 sesiones",
                ">Lunes 2 de noviembre<",
                ">Lunes 2 de noviembre de 2009</h2>",
                'aria-label="Filtrar el programa"',
            ],
        },
        [
            "All times are local time",
            "Monday",
            "Mon 2 Nov",
            ">Star</span>",
            "Remove from my agenda",
            'aria-label="Filter the programme"',
        ],
    ),
    "session": (
        None,  # the first session of roundtable 1, found in the test
        {
            "en": [">Cross-cutting themes</h2>", ">Main issues</h2>", "Monday 2 November 2009, 09:30"],
            "fr": [
                ">Thèmes transversaux</h2>",
                ">Questions principales</h2>",
                ">Contexte</h2>",
                "<dt>Quand</dt>",
                "lundi 2 novembre 2009, 09:30",
                ">Document de la session (PDF)<",
                ">Marquer</span>",
                'data-other="Retirer de mon agenda"',
                '<span class="visually-hidden"> la session 1.1</span>',
                'aria-label="Fil d’Ariane"',
            ],
            "es": [
                ">Temas transversales</h2>",
                ">Cuestiones principales</h2>",
                ">Antecedentes</h2>",
                "<dt>Cuándo</dt>",
                "lunes 2 de noviembre de 2009, 09:30",
                ">Documento de la sesión (PDF)<",
                ">Marcar</span>",
                'data-other="Quitar de mi agenda"',
                '<span class="visually-hidden"> la sesión 1.1</span>',
                'aria-label="Ruta de navegación"',
            ],
        },
        ["Cross-cutting themes", "Main issues", ">Background<", "Session handout", ">When<", "Breadcrumbs"],
    ),
    "search": (
        "/{lang}/search/",
        {
            "en": ['<h1 id="search-heading">Search the programme</h1>', "What you can find"],
            "fr": [
                '<h1 id="search-heading">Rechercher dans le programme</h1>',
                "Ce que vous pouvez trouver",
                "Parcourir les thèmes",
            ],
            "es": ['<h1 id="search-heading">Buscar en el programa</h1>', "Qué puede encontrar", "Explorar los temas"],
        },
        ["What you can find", "Browse the themes", "Words, a name or a session code"],
    ),
    "search results": (
        "/{lang}/search/?q=remittances",
        {
            "en": ["results for “remittances”"],
            "fr": [f"résultats pour «{NBSP}remittances{NBSP}»", 'aria-label="Résultats par type"'],
            "es": ["resultados para «remittances»", 'aria-label="Resultados por tipo"'],
        },
        ["results for", "result for", "Results by kind"],
    ),
    "agenda": (
        "/{lang}/agenda/",
        {
            "en": ["You have not starred any session yet."],
            "fr": ["<h1>Mon agenda</h1>", "Vous n’avez encore marqué aucune session."],
            "es": ["<h1>Mi agenda</h1>", "Todavía no ha marcado ninguna sesión."],
        },
        ["You have not starred any session yet.", "Go to the programme"],
    ),
    "good practices": (
        "/{lang}/good-practices/",
        {
            "en": ["All countries", ">Filter<"],
            "fr": ["<h1>Bonnes pratiques</h1>", ">Tous les pays<", "Type d’acteur", ">Filtrer<", "0 contribution<"],
            "es": [
                "<h1>Buenas prácticas</h1>",
                ">Todos los países<",
                "Tipo de actor",
                ">Filtrar<",
                "0 contribuciones<",
            ],
        },
        ["All countries", "Kind of actor", ">Filter<", "Contribute a good practice"],
    ),
    "contribution form": (
        "/{lang}/contribute/",
        {
            "en": ["Send the contribution", "Name of your organisation"],
            "fr": [
                "<h1>Proposer une bonne pratique</h1>",
                "Nom de votre organisation",
                "Votre adresse électronique",
                "Envoyer la contribution",
                "Bonne pratique 1",
                "Le forum dans son ensemble",
            ],
            "es": [
                "<h1>Proponer una buena práctica</h1>",
                "Nombre de su organización",
                "Su dirección de correo electrónico",
                "Enviar la contribución",
                "Buena práctica 1",
                "El foro en su conjunto",
            ],
        },
        ["Send the contribution", "Name of your organisation", "Your e-mail address", "Good practice 1"],
    ),
    "themes": (
        "/{lang}/themes/",
        {
            "en": ["<h1>Cross-cutting themes</h1>"],
            "fr": ["<h1>Thèmes transversaux</h1>"],
            "es": ["<h1>Temas transversales</h1>"],
        },
        ["Cross-cutting themes"],
    ),
    "page not found": (
        "/{lang}/no-such-page/",
        {
            "en": ["<h1>Page not found</h1>"],
            "fr": ["<h1>Page introuvable</h1>", "Voir le programme en cours"],
            "es": ["<h1>Página no encontrada</h1>", "Ir al programa actual"],
        },
        ["Page not found", "There is no page at this address.", "Go to the current programme"],
    ),
}


def _url(name, language):
    template = PAGES[name][0]
    if template is None:
        session = Session.objects.get(roundtable__forum__slug="athens-2009", roundtable__number=1, number=1)
        with translation.override(language):
            return session.get_absolute_url()
    return template.format(lang=language)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(PAGES))
def test_pages_show_the_interface_in_the_language_of_the_address(client, athens, settings, name, language):
    settings.DEBUG = False
    _template, expected, english = PAGES[name]

    response = client.get(_url(name, language))

    html = response.content.decode()
    assert response.status_code == (404 if name == "page not found" else 200)
    assert [text for text in PAGE_FRAME[language] + expected[language] if text not in html] == []
    assert [text for text in ENGLISH_INTERFACE + english if text in html] == []


@pytest.mark.parametrize("name", list(PAGES))
def test_the_english_pages_still_show_the_english_interface(client, athens, settings, name):
    """The other side of the test above: the strings it looks for are there in English."""
    settings.DEBUG = False
    _template, expected, _english = PAGES[name]

    html = client.get(_url(name, "en")).content.decode()

    assert [text for text in PAGE_FRAME["en"] + expected["en"] if text not in html] == []


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "fr",
            [
                "3 sessions marquées.",
                ">Télécharger mon agenda (.ics)<",
                ">Lundi 2 novembre 2009</h2>",
                ">Retirer de mon agenda</span>",
                ">Le partager ou l’emporter sur votre téléphone</h2>",
            ],
        ),
        (
            "es",
            [
                "3 sesiones marcadas.",
                ">Descargar mi agenda (.ics)<",
                ">Lunes 2 de noviembre de 2009</h2>",
                ">Quitar de mi agenda</span>",
                ">Compartirla o llevarla a su teléfono</h2>",
            ],
        ),
    ],
)
def test_a_filled_agenda_is_translated(client, athens, language, words):
    roundtable_one = Session.objects.filter(roundtable__forum=athens, roundtable__number=1)
    client.cookies["agenda"] = "-".join(str(pk) for pk in roundtable_one.values_list("pk", flat=True))

    html = client.get(f"/{language}/agenda/").content.decode()

    assert [word for word in words if word not in html] == []
    assert "sessions starred" not in html


@pytest.mark.parametrize(
    ("language", "heading", "title"),
    [
        ("fr", "Un problème est survenu de notre côté", "Erreur du serveur"),
        ("es", "Se ha producido un error por nuestra parte", "Error del servidor"),
    ],
)
def test_the_server_error_page_follows_the_active_language(db, language, heading, title):
    handler = get_resolver().resolve_error_handler(500)

    with translation.override(language):
        html = handler(RequestFactory().get(f"/{language}/")).content.decode()

    assert f'<html lang="{language}">' in html
    assert f"<h1>{heading}</h1>" in html
    assert f"<title>{title} · " in html


@pytest.mark.parametrize(("language", "up", "down"), [("fr", "Monter", "Descendre"), ("es", "Subir", "Bajar")])
def test_the_reorder_buttons_of_the_admin_get_translated_labels(language, up, down):
    """static/js/admin_reorder.js has no words of its own: it reads them from the order field's data attributes."""
    with translation.override(language):
        html = PositionInput().render("position", 1)

    assert f'data-move-up="{up}" data-move-down="{down}"' in html


def test_the_scripts_hold_no_interface_text():
    """Labels reach scripts through data attributes of translated templates (no inline script is allowed)."""
    scripts = {
        path.name: path.read_text(encoding="utf-8") for path in (Path(settings.BASE_DIR) / "static" / "js").glob("*.js")
    }
    shown = re.compile(
        r"""(textContent|innerText|innerHTML|title|alert\(|setAttribute\("(aria-label|title)",)\s*=?\s*["'`][A-Za-z]"""
    )

    assert {"agenda.js", "admin_reorder.js"} <= set(scripts)
    assert "input.dataset.moveUp" in scripts["admin_reorder.js"]
    assert "input.dataset.moveDown" in scripts["admin_reorder.js"]
    assert [name for name, script in scripts.items() if shown.search(script)] == []
