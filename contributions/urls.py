from django.urls import path

from . import views

app_name = "contributions"

urlpatterns = [
    path("contribute/", views.ContributionSubmitView.as_view(), name="submit"),
    path("contribute/thanks/", views.ContributionThanksView.as_view(), name="thanks"),
    path("good-practices/", views.LibraryView.as_view(), name="library"),
    path("good-practices/<slug:slug>/", views.ContributionDetailView.as_view(), name="detail"),
    path("good-practices/<slug:slug>/document/", views.contribution_document, name="document"),
]
