from django.urls import path

from . import views

app_name = "sessions"

urlpatterns = [
    path(
        "forums/<slug:forum>/roundtables/<slug:roundtable>/<slug:slug>/",
        views.SessionDetailView.as_view(),
        name="detail",
    ),
    path("people/<slug:slug>/", views.PersonDetailView.as_view(), name="person"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
