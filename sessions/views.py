import mimetypes
from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpResponse, HttpResponseForbidden, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST, require_safe
from django.views.generic import TemplateView

from roundtables import selectors as programme
from roundtables.models import Theme

from . import agenda, calendar, listings, qr, schedule, selectors
from .models import Participation, Person, Session
from .pdf.content import BOOKLET, ROUNDTABLE, SESSION, export_for
from .pdf.responses import pdf_response


class PersonDetailView(TemplateView):
    template_name = "sessions/person_detail.html"

    def get_context_data(self, **kwargs):
        person = selectors.person_for_page(slug=self.kwargs["slug"], user=self.request.user)
        # The calendar lists scheduled sessions of the public programme only.
        has_calendar = any(p.session.starts_at and p.session.is_published for p in person.public_participations)
        return super().get_context_data(
            person=person,
            participations=person.public_participations,
            forums=selectors.sessions_by_forum(person.public_participations),
            has_calendar=has_calendar,
            # Reversed once here: the page links to it twice.
            calendar_url=reverse("sessions:person-calendar", kwargs={"slug": person.slug}) if has_calendar else "",
            **kwargs,
        )


def document_download(request, pk, language=None):
    """Serve a document's file: the one in ``language``, or without it the one in the page's language
    (else English, else any). PDFs inline, anything else as a download, never as HTML."""
    document_file = selectors.document_file_for_download(pk=pk, language=language, user=request.user)
    try:
        handle = document_file.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is missing.") from error
    name = document_file.name
    content_type = "application/pdf" if name.lower().endswith(".pdf") else "text/plain; charset=utf-8"
    if content_type.startswith("text/") and mimetypes.guess_type(name)[0] not in {"text/plain", None}:
        content_type = "application/octet-stream"
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not name.lower().endswith(".pdf"), filename=name
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Language"] = document_file.language
    return response


def _forum_with_programme(request, slug):
    """The forum of a programme file, or 404 when it has no session to show (an empty file helps nobody)."""
    user = request.user
    forum = programme.forum_for_page(slug=slug, user=user)
    if not listings.forum_has_programme(forum=forum, user=user):
        raise Http404("The programme of this forum is not yet published.")
    return forum


def _scheduled_events(sessions):
    """The events of ``sessions`` (a queryset), or 404 when none is scheduled: a calendar of one session, a
    forum or an agenda needs at least one event (RFC 5545)."""
    events = calendar.calendar_events(sessions)
    if not events:
        raise Http404("No scheduled session.")
    return events


def _calendar_response(request, *, events, name, filename):
    body = calendar.calendar_build(events=events, name=name, absolute_url=request.build_absolute_uri)
    response = HttpResponse(body, content_type=calendar.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@require_GET
def session_calendar(request, forum, roundtable, slug):
    """One session as an iCalendar file, for "Add to calendar"."""
    forum = programme.forum_for_page(slug=forum, user=request.user)
    sessions = selectors.sessions_for_calendar_file(forum=forum, user=request.user)
    [event] = _scheduled_events(sessions.filter(roundtable__slug=roundtable, slug=slug))
    return _calendar_response(
        request, events=[event], name=forum.name, filename=f"{forum.slug}-session-{event.code}.ics"
    )


@require_GET
def forum_calendar(request, forum):
    """Every scheduled session of a forum as one iCalendar file, to import or subscribe to."""
    forum = programme.forum_for_page(slug=forum, user=request.user)
    events = _scheduled_events(selectors.sessions_for_calendar_file(forum=forum, user=request.user))
    return _calendar_response(request, events=events, name=forum.name, filename=f"{forum.slug}.ics")


# Subscriptions: the public programme only, whoever asks (calendar apps fetch them without logging in).


@require_safe
def roundtable_calendar(request, forum, slug):
    """A roundtable's scheduled sessions as one iCalendar file, to subscribe to."""
    forum = programme.forum_for_page(slug=forum, user=None)
    roundtable = get_object_or_404(forum.roundtables.all(), slug=slug)
    sessions = selectors.sessions_for_calendar_file(forum=forum, user=None).filter(roundtable=roundtable)
    return _calendar_response(
        request,
        events=calendar.calendar_events(sessions),
        name=f"{forum.name}: {roundtable}",
        filename=f"{forum.slug}-roundtable-{roundtable.number}.ics",
    )


@require_safe
def theme_calendar(request, slug):
    """The scheduled sessions on a cross-cutting theme, in every published forum, to subscribe to."""
    theme = get_object_or_404(Theme.objects.all(), slug=slug)
    sessions = selectors.sessions_for_calendar_file(user=None).filter(themes=theme)
    return _calendar_response(
        request, events=calendar.calendar_events(sessions), name=theme.name, filename=f"theme-{theme.slug}.ics"
    )


@require_safe
def person_calendar(request, slug):
    """The scheduled sessions a person has a public role in, to subscribe to; 404 when they have none."""
    person = get_object_or_404(Person.objects.visible_to(None), slug=slug)
    roles = Participation.objects.filter(person=person).values("session_id")
    sessions = selectors.sessions_for_calendar_file(user=None).filter(pk__in=roles)
    return _calendar_response(
        request,
        events=calendar.calendar_events(sessions),
        name=person.name,
        filename=f"person-{person.slug}.ics",
    )


@require_GET
def agenda_calendar(request):
    """The sessions named in the address (``?sessions=12,15,40``) as one iCalendar file."""
    ids = agenda.agenda_ids_parse(request.GET.get("sessions", ""))
    if not ids:
        raise Http404("No session given.")
    events = _scheduled_events(selectors.sessions_for_calendar_file(user=request.user).filter(pk__in=ids))
    return _calendar_response(request, events=events, name=_("My agenda"), filename="my-agenda.ics")


def _forum_schedule(request, slug):
    """The frab schedule of a published forum: the public programme, whoever asks (never drafts)."""
    forum = programme.forum_for_page(slug=slug, user=None)
    sessions = list(schedule.sessions_for_schedule(forum=forum))
    # Without a published session there is no programme (404); with sessions still to be timed, the
    # schedule is valid with empty days, for the conference apps that already read it.
    if not sessions and not listings.forum_has_programme(forum=forum):
        raise Http404("The programme of this forum is not yet published.")
    return schedule.schedule_build(
        forum=forum,
        sessions=sessions,
        version=schedule.programme_version_label(),
        absolute_url=request.build_absolute_uri,
        schedule_url=request.build_absolute_uri(request.path),
    )


@require_safe
def forum_schedule_xml(request, forum):
    """The forum's programme as a frab schedule.xml, for conference apps."""
    body = schedule.schedule_xml(_forum_schedule(request, forum))
    return HttpResponse(body, content_type=schedule.XML_CONTENT_TYPE)


@require_safe
def forum_schedule_json(request, forum):
    """The forum's programme as a frab schedule.json."""
    body = schedule.schedule_json(_forum_schedule(request, forum))
    return HttpResponse(body, content_type=schedule.JSON_CONTENT_TYPE)


def _no_store(response):
    response["Cache-Control"] = "private, no-store"
    patch_vary_headers(response, ["Cookie"])
    return response


class AgendaView(TemplateView):
    """The delegate's starred sessions, read from their cookie: never cached.

    With ``?sessions=12,15,40`` (the share link of an agenda, also in its QR code) it shows those
    sessions instead, for the visitor to star or to add all at once.
    """

    template_name = "sessions/agenda.html"

    def get_context_data(self, **kwargs):
        shared = "sessions" in self.request.GET
        mine = agenda.agenda_ids_from_request(self.request)
        ids = agenda.agenda_ids_parse(self.request.GET.get("sessions", "")) if shared else mine
        sessions = list(selectors.sessions_for_agenda(ids=ids, user=self.request.user))
        days = agenda.agenda_days(sessions)
        listed = [session.pk for session in sessions]
        scheduled = [session.pk for session in sessions if session.starts_at]
        calendar_url = share_url = share_qr = ""
        if scheduled:
            query = urlencode({"sessions": agenda.agenda_query_value(scheduled)}, safe=",")
            calendar_url = f"{reverse('sessions:agenda-calendar')}?{query}"
        if listed:
            query = urlencode({"sessions": agenda.agenda_query_value(listed)}, safe=",")
            share_url = self.request.build_absolute_uri(f"{reverse('sessions:agenda')}?{query}")
            share_qr = qr.qr_svg(share_url, title=_("QR code of the address of this agenda"))
        clash_count = sum(1 for day in days for item in day["items"] if item["clashes"])
        return super().get_context_data(
            days=days,
            shared=shared,
            starred=set(mine),
            not_starred=[pk for pk in listed if pk not in mine] if shared else [],
            session_count=len(sessions),
            clash_count=clash_count,
            calendar_url=calendar_url,
            share_url=share_url,
            share_qr=share_qr,
            current_forum=None if sessions else programme.forum_current(self.request.user),
            **kwargs,
        )

    def render_to_response(self, context, **response_kwargs):
        return _no_store(super().render_to_response(context, **response_kwargs))


@csrf_exempt  # starring is harmless; cross-site requests are refused below, and the input is checked strictly
@require_POST
def agenda_toggle(request):
    """Add, remove or toggle one session in the agenda cookie.

    Scripts ask for JSON (``Accept: application/json``) and get the new state; forms without
    JavaScript are sent back to ``next`` (or to the agenda).
    """
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return HttpResponseForbidden(_("Sessions can only be starred from this site."), content_type="text/plain")
    raw_id = request.POST.get("session", "")
    action = request.POST.get("action", "toggle") or "toggle"
    if not agenda.is_session_id(raw_id) or action not in agenda.ACTIONS:
        return _no_store(HttpResponse(_("Invalid request."), status=400, content_type="text/plain; charset=utf-8"))
    session_id = int(raw_id)
    ids = agenda.agenda_ids_from_request(request)
    if action != "remove" and session_id not in ids:
        selectors.session_for_agenda(pk=session_id, user=request.user)
    try:
        ids, starred = agenda.agenda_change(ids=ids, session_id=session_id, action=action)
    except agenda.AgendaFull:
        message = _("Your agenda is full: remove a session before adding another.")
        if _wants_json(request):
            return _no_store(JsonResponse({"error": message}, status=409))
        return _no_store(HttpResponse(message, status=409, content_type="text/plain; charset=utf-8"))

    clashes = []
    if starred:  # warn at once about the starred sessions it overlaps
        scheduled = selectors.sessions_for_clash_check(ids=ids, user=request.user)
        clashes = agenda.clashes_with(session_id, scheduled)
    if _wants_json(request):
        response = JsonResponse(
            {
                "session": session_id,
                "starred": starred,
                "sessions": ids,
                "clashes": [other.pk for other in clashes],
                "notice": agenda.clash_notice_html(
                    session_id=session_id, clashes=clashes, agenda_url=reverse("sessions:agenda")
                )
                if clashes
                else "",
            }
        )
    else:
        response = HttpResponse(status=303)
        response["Location"] = _safe_next(request)
        if clashes:  # the page it goes back to shows the warning, once (sessions.middleware)
            response.set_cookie(
                agenda.CLASH_NOTICE_COOKIE,
                str(session_id),
                max_age=agenda.CLASH_NOTICE_MAX_AGE,
                path="/",
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
    agenda.agenda_set_cookie(response, ids, secure=request.is_secure())
    return _no_store(response)


@csrf_exempt  # as agenda_toggle: harmless, cross-site requests refused, input checked strictly
@require_POST
def agenda_add(request):
    """Add the sessions of a shared agenda (``sessions=12,15,40``) to the visitor's own, then show it."""
    if request.headers.get("Sec-Fetch-Site") == "cross-site":
        return HttpResponseForbidden(_("Sessions can only be starred from this site."), content_type="text/plain")
    wanted = agenda.agenda_ids_parse(request.POST.get("sessions", ""))
    visible = set(selectors.sessions_for_agenda(ids=wanted, user=request.user).values_list("pk", flat=True))
    ids = agenda.agenda_ids_from_request(request)
    try:
        for session_id in wanted:
            if session_id in visible:
                ids, _starred = agenda.agenda_change(ids=ids, session_id=session_id, action="add")
    except agenda.AgendaFull:
        message = _("Your agenda is full: remove a session before adding another.")
        return _no_store(HttpResponse(message, status=409, content_type="text/plain; charset=utf-8"))
    response = HttpResponse(status=303)
    response["Location"] = reverse("sessions:agenda")
    agenda.agenda_set_cookie(response, ids, secure=request.is_secure())
    return _no_store(response)


def _wants_json(request):
    return request.headers.get("Accept", "").startswith("application/json")


def _safe_next(request):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("sessions:agenda")


@require_safe
def programme_pdf(request, forum):
    """The forum's programme booklet as a PDF (cached; staff previews show drafts); 404 without a session."""
    forum = _forum_with_programme(request, forum)
    return pdf_response(request, export_for(BOOKLET, forum, user=request.user))


@require_safe
def roundtable_pdf(request, forum, slug):
    """A roundtable's handout as a PDF."""
    forum = programme.forum_for_page(slug=forum, user=request.user)
    roundtable = get_object_or_404(forum.roundtables.select_related("forum"), slug=slug)
    return pdf_response(request, export_for(ROUNDTABLE, roundtable, user=request.user))


@require_safe
def session_pdf(request, forum, roundtable, slug):
    """A session's handout as a PDF (plenaries, breaks and receptions have none)."""
    forum = programme.forum_for_page(slug=forum, user=request.user)
    sessions = (
        Session.objects.visible_to(request.user).filter(kind=Session.Kind.SESSION).select_related("roundtable__forum")
    )
    session = get_object_or_404(sessions, roundtable__forum=forum, roundtable__slug=roundtable, slug=slug)
    return pdf_response(request, export_for(SESSION, session, user=request.user))
