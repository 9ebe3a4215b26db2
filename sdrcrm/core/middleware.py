import zoneinfo

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import render
from django.utils import timezone


class UserTimezoneMiddleware:
    """Shows every time in the signed-in user's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.timezone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.timezone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        return self.get_response(request)


class RejectNullBytesMiddleware:
    """A NUL byte is never legitimate in a path or query string, and PostgreSQL refuses it in
    text: answer 400 at the door rather than fail deep inside a query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        query_values = (value for values in request.GET.lists() for value in [values[0], *values[1]])
        if "\x00" in request.path or any("\x00" in value for value in query_values):
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": "NUL characters are not allowed."}, status=400)
            return HttpResponseBadRequest("NUL characters are not allowed.")
        return self.get_response(request)


class DomainErrorPageMiddleware:
    """A domain rule a page view did not handle (a bad filter value, a stale link) answers with its
    own status (400/403/404/409) and message on a page — never a 500. The API has its own handler."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from sdrcrm.core.errors import DomainError

        if not isinstance(exception, DomainError) or request.path.startswith("/api/"):
            return None
        template = "partials/error-flash.html" if getattr(request, "htmx", False) else "error.html"
        return render(request, template, {"error": exception}, status=exception.status_code)
