"""API mixins shared by apps: CSV/XLSX import and export as viewset actions."""

from typing import Any

from django.http import HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import parsers, renderers, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from common.imports import EXPORTERS, ImportSpec, run_import


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)


class _FileRenderer(renderers.BaseRenderer):
    """
    Lets `?format=csv|xlsx` through DRF's content negotiation, which reads `format` as the renderer
    to use (URL_FORMAT_OVERRIDE) and answered 404 for a format no renderer declares. The export
    action writes its own file; an error body (a dict) is still written as JSON.
    """

    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, bytes):
            return data
        return renderers.JSONRenderer().render(data)


class CSVFileRenderer(_FileRenderer):
    media_type = "text/csv"
    format = "csv"


class XLSXFileRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"


class ImportExportMixin:
    """Adds `POST …/import/` (multipart `file`, `dry_run`) and `GET …/export/?format=csv|xlsx`."""

    import_spec: type[ImportSpec]

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # An error of the export action (403, 401) is JSON, whatever `format` asked for.
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        if isinstance(response, Response) and isinstance(getattr(response, "accepted_renderer", None), _FileRenderer):
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = "application/json"
        return response

    @extend_schema(request={"multipart/form-data": ImportUploadSerializer}, responses={200: dict, 400: dict})
    @action(
        detail=False, methods=["post"], url_path="import", parser_classes=[parsers.MultiPartParser, parsers.FormParser]
    )
    def import_file(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        model = self.get_queryset().model  # type: ignore[attr-defined]
        label = model._meta.app_label
        for needed in ("add", "change"):
            if not request.user.has_perm(f"{label}.{needed}_{model._meta.model_name}"):
                raise PermissionDenied
        upload = ImportUploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        file = upload.validated_data["file"]
        report = run_import(
            self.import_spec(request.user), file.read(), file.name, dry_run=upload.validated_data["dry_run"]
        )
        body = report.as_dict()
        if not report.ok:
            return Response(
                {"message": _("The file has errors; nothing was written."), "extra": body},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(body)

    @extend_schema(parameters=[OpenApiParameter("format", str, enum=list(EXPORTERS))], responses={200: bytes})
    @action(
        detail=False,
        methods=["get"],
        url_path="export",
        renderer_classes=[renderers.JSONRenderer, CSVFileRenderer, XLSXFileRenderer],
    )
    def export_file(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        fmt = request.query_params.get("format", "csv")
        if fmt not in EXPORTERS:
            fmt = "csv"
        exporter, content_type = EXPORTERS[fmt]
        model = self.get_queryset().model  # type: ignore[attr-defined]
        response = HttpResponse(exporter(self.import_spec(request.user)), content_type=content_type)
        name = slugify(str(model._meta.verbose_name_plural)) or model._meta.model_name
        response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
        return response
