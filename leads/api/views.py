from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from leads import imports, selectors, services
from leads.api.serializers import (
    ActivityCreateIn,
    ActivityOut,
    IcpProfileCreateIn,
    IcpProfileOut,
    IcpProfileUpdateIn,
    ImportCreateIn,
    ImportListOut,
    ImportOut,
    ImportQueuedOut,
    ImportRevertOut,
    ImportRowOut,
    LeadCreateIn,
    LeadDisqualifyIn,
    LeadNurtureIn,
    LeadOut,
    LeadUpdateIn,
)
from sdrcrm.core.csv_export import csv_response
from sdrcrm.core.errors import ValidationFailed


def team_for(user, given):
    """The team a new object belongs to: the caller's own, or (admins) the one they name."""
    if user.is_admin:
        if given is None:
            if user.team_id:
                return user.team
            raise ValidationFailed("An admin names the team.", field="team")
        return given
    return user.team


LEAD_LIST_PARAMETERS = [
    OpenApiParameter(
        "status", str, description="new|working|nurture|disqualified|handed_off|converted (comma-separated)"
    ),
    OpenApiParameter("stage", str, description="lead|mql|sql|opportunity|customer (comma-separated)"),
    OpenApiParameter("owner", str, description="a user id, `me` or `none`"),
    OpenApiParameter("source", str, description="inbound|outbound|event|referral|list"),
    OpenApiParameter("grade", str, description="A|B|C|D (comma-separated)"),
    OpenApiParameter("q", str, description="searches name, email and company"),
    OpenApiParameter(
        "ordering",
        str,
        description="-created_at (default), created_at, -score, score, name, company, priority",
    ),
]


class LeadCollectionApi(GenericAPIView):
    serializer_class = LeadOut

    @extend_schema(parameters=LEAD_LIST_PARAMETERS, responses=LeadOut(many=True))
    def get(self, request):
        leads = selectors.lead_list_for_user(user=request.user, filters=request.query_params)
        page = self.paginate_queryset(leads)
        return self.get_paginated_response(LeadOut(page, many=True).data)

    @extend_schema(request=LeadCreateIn, responses={201: LeadOut})
    def post(self, request):
        data = LeadCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team = team_for(request.user, values.pop("team", None))
        lead = services.lead_create(team=team, by=request.user, values=values)
        return Response(LeadOut(lead).data, status=status.HTTP_201_CREATED)


class LeadDetailApi(APIView):
    @extend_schema(responses=LeadOut)
    def get(self, request, lead_id: int):
        return Response(LeadOut(selectors.lead_get_for_user(user=request.user, lead_id=lead_id)).data)

    @extend_schema(request=LeadUpdateIn, responses=LeadOut)
    def patch(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = LeadUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        lead = services.lead_update(lead=lead, by=request.user, values=dict(data.validated_data))
        return Response(LeadOut(lead).data)

    @extend_schema(responses={204: None})
    def delete(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        services.lead_delete(lead=lead, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LeadClaimApi(APIView):
    @extend_schema(request=None, responses=LeadOut)
    def post(self, request, lead_id: int):
        lead = selectors.lead_get_to_claim(user=request.user, lead_id=lead_id)
        return Response(LeadOut(services.lead_claim(lead=lead, by=request.user)).data)


class LeadDisqualifyApi(APIView):
    @extend_schema(request=LeadDisqualifyIn, responses=LeadOut)
    def post(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = LeadDisqualifyIn(data=request.data)
        data.is_valid(raise_exception=True)
        lead = services.lead_disqualify(lead=lead, by=request.user, reason=data.validated_data["reason"])
        return Response(LeadOut(lead).data)


class LeadNurtureApi(APIView):
    @extend_schema(request=LeadNurtureIn, responses=LeadOut)
    def post(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = LeadNurtureIn(data=request.data)
        data.is_valid(raise_exception=True)
        lead = services.lead_nurture(lead=lead, by=request.user, reason=data.validated_data.get("reason", ""))
        return Response(LeadOut(lead).data)


class LeadActivityCollectionApi(GenericAPIView):
    serializer_class = ActivityOut

    @extend_schema(responses=ActivityOut(many=True))
    def get(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        page = self.paginate_queryset(selectors.activity_list_for_lead(lead=lead))
        return self.get_paginated_response(ActivityOut(page, many=True).data)

    @extend_schema(request=ActivityCreateIn, responses={201: ActivityOut})
    def post(self, request, lead_id: int):
        lead = selectors.lead_get_for_user(user=request.user, lead_id=lead_id)
        data = ActivityCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        activity = services.activity_log(lead=lead, by=request.user, **data.validated_data)
        return Response(ActivityOut(activity).data, status=status.HTTP_201_CREATED)


def too_large_response() -> Response:
    limit = imports.max_bytes() // (1024 * 1024)
    return Response(
        {"detail": f"The file is over the {limit} MiB limit."},
        status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    )


class ImportCollectionApi(GenericAPIView):
    serializer_class = ImportListOut
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(responses=ImportListOut(many=True))
    def get(self, request):
        batches = selectors.import_batch_list_for_user(user=request.user)
        page = self.paginate_queryset(batches)
        return self.get_paginated_response(ImportListOut(page, many=True).data)

    @extend_schema(
        request={"multipart/form-data": ImportCreateIn}, responses={202: ImportQueuedOut, 413: None}
    )
    def post(self, request):
        selectors.import_batch_list_for_user(user=request.user)  # the role check, before reading the body
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > imports.max_bytes() + 64 * 1024:
            return too_large_response()
        upload = request.FILES.get("file")
        if upload is not None and upload.size > imports.max_bytes():
            return too_large_response()
        data = ImportCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        batch = imports.import_batch_create(
            team=team_for(request.user, values.get("team")),
            by=request.user,
            upload=values["file"],
            source=values["source"],
            owner=values.get("owner"),
            mapping=imports.parse_mapping(values.get("mapping")),
            dry_run=values["dry_run"],
            update_existing=values["update_existing"],
        )
        return Response({"id": batch.pk, "status": "queued"}, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(APIView):
    @extend_schema(responses=ImportOut)
    def get(self, request, batch_id: int):
        return Response(
            ImportOut(selectors.import_batch_get_for_user(user=request.user, batch_id=batch_id)).data
        )


class ImportErrorsCsvApi(APIView):
    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.STR})
    def get(self, request, batch_id: int) -> HttpResponse:
        batch = selectors.import_batch_get_for_user(user=request.user, batch_id=batch_id)
        return import_errors_csv(batch)


def import_errors_csv(batch):
    """The failed rows as they came, plus an `error` column; formulas neutralised."""
    width = len(batch.columns)

    def rows():
        for record in selectors.import_errors(batch=batch).iterator(chunk_size=2000):
            cells = list(record.raw)[:width] + [""] * max(0, width - len(record.raw))
            message = "; ".join(f"{e['field']}: {e['message']}" for e in record.errors)
            yield [*cells, message]

    return csv_response(f"import-{batch.pk}-errors.csv", [*batch.columns, "error"], rows())


class ImportRowsApi(GenericAPIView):
    serializer_class = ImportRowOut

    @extend_schema(
        parameters=[OpenApiParameter("action", str, description="create|update|duplicate|error")],
        responses=ImportRowOut(many=True),
    )
    def get(self, request, batch_id: int):
        batch = selectors.import_batch_get_for_user(user=request.user, batch_id=batch_id)
        rows = selectors.import_rows(batch=batch, action=request.query_params.get("action"))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(ImportRowOut(page, many=True).data)


class ImportRevertApi(APIView):
    @extend_schema(request=None, responses=ImportRevertOut)
    def post(self, request, batch_id: int):
        batch = selectors.import_batch_get_for_user(user=request.user, batch_id=batch_id)
        return Response(imports.import_batch_revert(batch=batch, by=request.user))


class IcpProfileCollectionApi(GenericAPIView):
    serializer_class = IcpProfileOut

    @extend_schema(responses=IcpProfileOut(many=True))
    def get(self, request):
        page = self.paginate_queryset(selectors.icp_profile_list_for_user(user=request.user))
        return self.get_paginated_response(IcpProfileOut(page, many=True).data)

    @extend_schema(request=IcpProfileCreateIn, responses={201: IcpProfileOut})
    def post(self, request):
        data = IcpProfileCreateIn(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        team = values.pop("team", None)
        profile = services.icp_profile_create(
            team=team_for(request.user, team), by=request.user, values=values
        )
        return Response(IcpProfileOut(profile).data, status=status.HTTP_201_CREATED)


class IcpProfileDetailApi(APIView):
    @extend_schema(responses=IcpProfileOut)
    def get(self, request, profile_id: int):
        return Response(
            IcpProfileOut(selectors.icp_profile_get_for_user(user=request.user, profile_id=profile_id)).data
        )

    @extend_schema(request=IcpProfileUpdateIn, responses=IcpProfileOut)
    def patch(self, request, profile_id: int):
        profile = selectors.icp_profile_get_for_user(user=request.user, profile_id=profile_id)
        data = IcpProfileUpdateIn(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        profile = services.icp_profile_update(
            profile=profile, by=request.user, values=dict(data.validated_data)
        )
        return Response(IcpProfileOut(profile).data)

    @extend_schema(responses={204: None})
    def delete(self, request, profile_id: int):
        profile = selectors.icp_profile_get_for_user(user=request.user, profile_id=profile_id)
        services.icp_profile_delete(profile=profile, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
