from django.urls import path

from core.page_cache import cache_public_page

from . import views

app_name = "sessions"

urlpatterns = [
    path(
        "forums/<slug:forum>/roundtables/<slug:roundtable>/<slug:slug>/handout.pdf",
        views.session_pdf,
        name="pdf",
    ),
    path("forums/<slug:forum>/programme.pdf", views.programme_pdf, name="programme-pdf"),
    path("forums/<slug:forum>/roundtables/<slug:slug>/handout.pdf", views.roundtable_pdf, name="roundtable-pdf"),
    path("people/<slug:slug>/", cache_public_page(views.PersonDetailView.as_view()), name="person"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("documents/<int:pk>/<slug:language>/", views.document_download, name="document-file"),
    path(
        "forums/<slug:forum>/roundtables/<slug:roundtable>/<slug:slug>/calendar.ics",
        cache_public_page(views.session_calendar),
        name="calendar",
    ),
    path("forums/<slug:forum>/calendar.ics", cache_public_page(views.forum_calendar), name="forum-calendar"),
    path("forums/<slug:forum>/schedule.xml", cache_public_page(views.forum_schedule_xml), name="schedule-xml"),
    path("forums/<slug:forum>/schedule.json", cache_public_page(views.forum_schedule_json), name="schedule-json"),
    path("agenda/", views.AgendaView.as_view(), name="agenda"),
    path("agenda/toggle/", views.agenda_toggle, name="agenda-toggle"),
    path("agenda/add/", views.agenda_add, name="agenda-add"),
    path(
        "agenda/calendar.ics",
        cache_public_page(views.agenda_calendar, params=["sessions"]),  # from the address, not the cookie
        name="agenda-calendar",
    ),
    path(
        "forums/<slug:forum>/roundtables/<slug:slug>/calendar.ics",
        cache_public_page(views.roundtable_calendar),
        name="roundtable-calendar",
    ),
    path("themes/<slug:slug>/calendar.ics", cache_public_page(views.theme_calendar), name="theme-calendar"),
    path("people/<slug:slug>/calendar.ics", cache_public_page(views.person_calendar), name="person-calendar"),
]
