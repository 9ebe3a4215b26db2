"""One exception handler for the REST API: domain errors and model validation become 4xx."""

import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sdrcrm.core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_payload(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        payload = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(payload, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DataError | OverflowError):
        # A value the database cannot hold (an id past 64 bits, a string past its column). A 400,
        # not a 500: it is the input that is wrong. Logged, since a serializer should have said so.
        logging.getLogger(__name__).warning("Out-of-range input on %s: %s", context["request"].path, exc)
        return Response(
            {"detail": "A value is out of range or malformed."}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            {"detail": "The request body is too large."}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
        )
    if isinstance(exc, SuspiciousOperation):
        # Raised while the body is parsed (too many fields or files): Django alone would answer
        # with its HTML error page.
        return Response({"detail": "The request is malformed."}, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)


class JsonErrorsMixin:
    """For an API view that answers with a download (CSV, calendar): a refusal is still the JSON
    error body every other endpoint answers with, whatever format the client asked for."""

    def handle_exception(self, exc):
        response = super().handle_exception(exc)
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return response
