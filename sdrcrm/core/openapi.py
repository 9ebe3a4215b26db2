"""The OpenAPI schema says what the API really answers: its refusals, times and blank values.

Every error body comes from `sdrcrm.core.api.exception_handler` (or DRF's own) and has one shape:
`{"detail": "...", "code": "..."}` for a refusal of the whole request, `{"field": ["message"]}`
for input at fault (nested like the input), sometimes with context such as `duplicate_of`.
A postprocessing hook adds the statuses an operation can answer with, from what the operation
takes (a body, parameters, an id in the path) and how its view authenticates and throttles, so
no view has to list them. A status an operation declares itself is left as it is.

Field extensions describe what serializer fields put on the wire where drf-spectacular's defaults
say otherwise: a time rendered as "08:00" and a URL or email that may be blank.
"""

import re

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework.permissions import AllowAny
from rest_framework.serializers import ModelSerializer
from rest_framework.settings import ISO_8601, api_settings

WRITE_METHODS = {"post", "put", "patch", "delete"}

ERROR_SCHEMA = {
    "type": "object",
    "description": (
        "A refusal: `detail` (and a machine-readable `code`) when the request as a whole is refused, "
        'otherwise the input fields at fault, each with its messages (`{"email": ["Enter a valid '
        'email address."]}`, nested like the input). Some refusals add context, such as '
        "`duplicate_of` (the id of the existing record) on a duplicate."
    ),
    "properties": {
        "detail": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
            "description": "The message; a list of messages when a record's own rule refuses it.",
        },
        "code": {"type": "string"},
    },
    "additionalProperties": {
        "description": "Messages for one input field, or context about the refusal.",
    },
}

ERROR_RESPONSES = {
    "400": ("BadRequest", "The input is invalid: the fields at fault, each with its messages."),
    "401": ("Unauthenticated", "No credentials, or credentials that are not valid."),
    "403": ("Forbidden", "The caller may see this but not do it."),
    "404": ("NotFound", "Missing, or not visible to the caller: the two are never told apart."),
    "409": ("Conflict", "The change collides with the current state (a duplicate, a second decision)."),
    "413": ("TooLarge", "The request body is over the size limit."),
    "415": ("UnsupportedMediaType", "The body is not in a media type the operation reads."),
    "429": ("Throttled", "Too many attempts; `detail` says when to try again."),
}


def add_error_responses(result, generator, request, public):
    """drf-spectacular postprocessing hook: the shared `Error` body and each operation's error statuses."""
    components = result.setdefault("components", {})
    components.setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error_content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    responses = components.setdefault("responses", {})
    for name, description in ERROR_RESPONSES.values():
        responses[name] = {"description": description, "content": error_content}

    views = {(path, method.lower()): callback.cls for path, _, method, callback in generator.endpoints}
    for path, operations in result["paths"].items():
        for method, operation in operations.items():
            statuses = error_statuses(method, operation, views.get((path, method)))
            for status in statuses:
                name = ERROR_RESPONSES[status][0]
                operation["responses"].setdefault(status, {"$ref": f"#/components/responses/{name}"})
    return result


def error_statuses(method: str, operation: dict, view_class) -> list[str]:
    parameters = operation.get("parameters", [])
    open_to_anyone = view_class is not None and all(
        issubclass(permission, AllowAny) for permission in view_class.permission_classes
    )
    takes_input = bool(parameters) or "requestBody" in operation
    statuses = []
    if takes_input:
        statuses.append("400")
    if not open_to_anyone:
        statuses += ["401", "403"]
    # An id in the path, a page past the last, or a referenced record the caller may not see.
    if takes_input and not open_to_anyone:
        statuses.append("404")
    if method in WRITE_METHODS and not open_to_anyone:
        statuses.append("409")
    if "requestBody" in operation:
        statuses += ["413", "415"]
    if view_class is not None and view_class.throttle_classes:
        statuses.append("429")
    return statuses


STRFTIME_PATTERNS = {"%H": r"([01]\d|2[0-3])", "%M": r"[0-5]\d", "%S": r"[0-5]\d", "%f": r"\d{6}"}


class TimeFieldExtension(OpenApiSerializerFieldExtension):
    """A time with its own output format ("%H:%M") is that pattern, not an RFC 3339 `format: time`."""

    target_class = "rest_framework.fields.TimeField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        output_format = getattr(self.target, "format", None) or api_settings.TIME_FORMAT
        if output_format == ISO_8601 or not isinstance(output_format, str):
            return schema
        pattern = "".join(
            STRFTIME_PATTERNS.get(part, re.escape(part)) for part in re.split(r"(%.)", output_format)
        )
        if direction == "request":  # input is parsed as ISO 8601: seconds may follow
            pattern += r"(:[0-5]\d(\.\d{1,6})?)?"
        schema.pop("format", None)
        return {**schema, "pattern": f"^{pattern}$"}


class BlankableFormatExtension(OpenApiSerializerFieldExtension):
    """A read-only URL or email whose model field may be blank is answered as "", which no `format`
    allows; drf-spectacular only knows this from `allow_blank`, which DRF drops on read-only fields."""

    target_class = "rest_framework.fields.URLField"
    match_subclasses = True
    format = "uri"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if getattr(self.target, "allow_blank", False) or not model_field_may_be_blank(self.target):
            return schema
        outer_keys = {"readOnly", "writeOnly", "nullable", "description", "title"}
        inner = {key: schema.pop(key) for key in list(schema) if key not in outer_keys}
        inner.setdefault("format", self.format)
        # No top-level `type`: drf-spectacular then adds no `format` of its own from the validators.
        return {**schema, "oneOf": [inner, {"type": "string", "maxLength": 0}]}


class BlankableEmailExtension(BlankableFormatExtension):
    target_class = "rest_framework.fields.EmailField"
    format = "email"


def model_field_may_be_blank(field) -> bool:
    serializer = field.parent
    if not field.read_only or not isinstance(serializer, ModelSerializer) or "." in field.source:
        return False
    try:
        return serializer.Meta.model._meta.get_field(field.source).blank
    except FieldDoesNotExist:
        return False
