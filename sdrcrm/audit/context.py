"""Who is asking, for audit rows written deep inside a service: the signed-in user, a request id and
the client address of the current request. Set by `AuditRequestMiddleware`; empty outside a request."""

import contextvars
import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    user: object = None
    request_id: str = ""
    ip_address: str | None = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "audit_request", default=None
)
NO_REQUEST = RequestContext()


def current() -> RequestContext:
    return _current.get() or NO_REQUEST


class AuditRequestMiddleware:
    """Place after AuthenticationMiddleware. Reads the user lazily, so API-authenticated users count too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = (request.headers.get("X-Request-ID") or "")[:64] or uuid.uuid4().hex
        token = _current.set(
            RequestContext(user=_LazyUser(request), request_id=request_id, ip_address=_client_ip(request))
        )
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


class _LazyUser:
    def __init__(self, request):
        self.request = request

    def resolve(self):
        user = getattr(self.request, "user", None)
        return user if getattr(user, "is_authenticated", False) else None


def _client_ip(request) -> str | None:
    address = request.META.get("REMOTE_ADDR") or ""
    return address or None
