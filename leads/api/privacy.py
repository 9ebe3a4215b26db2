"""The lead's data requests: a JSON copy of everything stored about it, and its erasure."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from leads import privacy, selectors


def _inert_json(document: dict) -> str:
    """JSON whose strings cannot close a script tag or start markup, even if a browser renders it as HTML."""
    text = json.dumps(document, cls=DjangoJSONEncoder, ensure_ascii=True, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class LeadEraseIn(serializers.Serializer):
    reason = serializers.CharField(max_length=300, help_text="Why, e.g. the request's reference.")


class LeadErasedOut(serializers.Serializer):
    lead = serializers.IntegerField()
    erased = serializers.BooleanField()
    suppressed = serializers.BooleanField()


class LeadExportApi(APIView):
    @extend_schema(responses={(200, "application/json"): OpenApiTypes.OBJECT})
    def get(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        document = privacy.lead_export(lead=lead, by=request.user)
        response = HttpResponse(_inert_json(document), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="lead-{lead.pk}.json"'
        return response


class LeadEraseApi(APIView):
    @extend_schema(request=LeadEraseIn, responses={200: LeadErasedOut})
    def post(self, request, lead_id: int):
        data = LeadEraseIn(data=request.data)
        data.is_valid(raise_exception=True)
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        result = privacy.lead_erase(lead=lead, by=request.user, reason=data.validated_data["reason"])
        return Response(LeadErasedOut(result).data)
