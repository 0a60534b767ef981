from django.urls import path

from . import views

app_name = "roundtables"

urlpatterns = [
    path("", views.home, name="home"),
    path("forums/", views.ForumListView.as_view(), name="forum-list"),
    path("forums/<slug:forum>/", views.ForumDetailView.as_view(), name="forum"),
    path("forums/<slug:forum>/programme/", views.ProgrammeView.as_view(), name="programme"),
    path("forums/<slug:forum>/documents/", views.DocumentListView.as_view(), name="documents"),
    path("forums/<slug:forum>/roundtables/<slug:slug>/", views.RoundtableDetailView.as_view(), name="roundtable"),
    path("themes/", views.ThemeListView.as_view(), name="theme-list"),
    path("themes/<slug:slug>/", views.ThemeDetailView.as_view(), name="theme"),
]
