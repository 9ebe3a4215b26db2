"""Domain errors: services raise these; the API handler and the page helper turn them into 400/403/404/409."""


class DomainError(Exception):
    """A rule of the domain refused the change. `field` names the input at fault, if one is."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None, **extra):
        super().__init__(message)
        self.message = message
        self.field = field
        if code:
            self.code = code
        self.extra = extra

    def as_payload(self) -> dict:
        if self.field:
            return {self.field: [self.message], **self.extra}
        return {"detail": self.message, "code": self.code, **self.extra}


class ValidationFailed(DomainError):
    status_code = 400


class NotAllowed(DomainError):
    """The caller may see the object but not do this to it."""

    status_code = 403
    code = "not_allowed"


class NotFound(DomainError):
    """Missing, or not visible to the caller: the two are never told apart."""

    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    """The change collides with the current state (a duplicate, a second decision)."""

    status_code = 409
    code = "conflict"
