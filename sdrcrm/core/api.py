"""One exception handler for the REST API: domain errors and model validation become 4xx."""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sdrcrm.core.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(exc.as_payload(), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        payload = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(payload, status=status.HTTP_400_BAD_REQUEST)
    return drf_exception_handler(exc, context)
