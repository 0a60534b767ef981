from django.urls import path

from core.page_cache import cache_public_page

from . import views
from .programme_filters import PARAMS as PROGRAMME_PARAMS

app_name = "roundtables"

urlpatterns = [
    path("", views.home, name="home"),
    path("forums/", cache_public_page(views.ForumListView.as_view()), name="forum-list"),
    path("forums/<slug:forum>/", cache_public_page(views.ForumDetailView.as_view()), name="forum"),
    path(
        "forums/<slug:forum>/programme/",
        cache_public_page(views.ProgrammeView.as_view(), params=PROGRAMME_PARAMS),
        name="programme",
    ),
    path(
        "forums/<slug:forum>/programme.xlsx",
        cache_public_page(views.programme_spreadsheet),
        {"fmt": "xlsx"},
        name="programme-xlsx",
    ),
    path(
        "forums/<slug:forum>/programme.csv",
        cache_public_page(views.programme_spreadsheet),
        {"fmt": "csv"},
        name="programme-csv",
    ),
    path("forums/<slug:forum>/changes/", cache_public_page(views.ForumChangesView.as_view()), name="changes"),
    path("forums/<slug:forum>/changes.atom", cache_public_page(views.ForumChangesFeed()), name="changes-feed"),
    path("forums/<slug:forum>/documents/", cache_public_page(views.DocumentListView.as_view()), name="documents"),
    path(
        "forums/<slug:forum>/roundtables/<slug:slug>/",
        cache_public_page(views.RoundtableDetailView.as_view()),
        name="roundtable",
    ),
    path("themes/", cache_public_page(views.ThemeListView.as_view()), name="theme-list"),
    path("themes/<slug:slug>/", cache_public_page(views.ThemeDetailView.as_view()), name="theme"),
    path("search/", views.SearchView.as_view(), name="search"),
    path(
        "forums/<slug:forum>/roundtables/<slug:roundtable>/<slug:slug>/",
        cache_public_page(views.SessionDetailView.as_view()),
        name="session",
    ),
    path("organisations/<slug:slug>/", cache_public_page(views.OrganisationDetailView.as_view()), name="organisation"),
]
